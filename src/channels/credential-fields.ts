// The fields of a channel's credential form, generated from its adapter's zod config schema (through JSON Schema),
// so the inbox's "add a channel" form never drifts from what the server validates. Nested objects become dotted
// names ("smtp.host"), the convention secretFields and the validation messages already use.
import { z } from 'zod';
import type { ChannelAdapter } from './types.js';

export type FieldType = 'string' | 'number' | 'boolean' | 'enum';

export interface CredentialField {
  name: string;
  type: FieldType;
  /** The form must have it; a field inside an optional group (email's imap.*) is required only with that group. */
  required: boolean;
  /** Never shown again once saved (the API masks it). */
  secret: boolean;
  options?: string[];
  description?: string;
  /** What the server uses when the field is left out. */
  default?: string | number | boolean;
  /** A list of values (webchat's allowedOrigins): send an array of `type`. */
  multiple?: true;
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  items?: JsonSchema;
  description?: string;
  default?: unknown;
}

export function credentialFields(adapter: Pick<ChannelAdapter<unknown>, 'configSchema' | 'secretFields'>): CredentialField[] {
  // The input side: a field with a default is optional to the person filling the form.
  const schema = z.toJSONSchema(adapter.configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const fields: CredentialField[] = [];
  walk(schema, '', true, new Set(adapter.secretFields), fields);
  return fields;
}

function walk(schema: JsonSchema, prefix: string, required: boolean, secrets: ReadonlySet<string>, out: CredentialField[]): void {
  const requiredKeys = new Set(schema.required ?? []);
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    const name = `${prefix}${key}`;
    const isRequired = required && requiredKeys.has(key);
    if (typeOf(property) === 'object' && property.properties) {
      walk(property, `${name}.`, isRequired, secrets, out);
      continue;
    }
    const list = typeOf(property) === 'array' ? (property.items ?? {}) : null;
    const field: CredentialField = { name, ...describeType(list ?? property), required: isRequired, secret: secrets.has(name) };
    if (list) field.multiple = true;
    if (property.description) field.description = property.description;
    if (isScalar(property.default)) field.default = property.default;
    out.push(field);
  }
}

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
}

function describeType(schema: JsonSchema): { type: FieldType; options?: string[] } {
  if (schema.enum && schema.enum.length > 0) return { type: 'enum', options: schema.enum.map(String) };
  switch (typeOf(schema)) {
    case 'number':
    case 'integer':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    default:
      // Strings, and anything JSON Schema cannot say more precisely: the server's validation has the last word.
      return { type: 'string' };
  }
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
