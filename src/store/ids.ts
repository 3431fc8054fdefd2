// Identifiers are UUIDv7: unique without coordination and ordered by creation time, which keeps indexes compact.
import { v7 } from 'uuid';

export const newId = (): string => v7();
