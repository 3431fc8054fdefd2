// The import API's shapes as the Import & export tab uses them (src/server/routes/transfer.ts has the schemas).

export const IMPORT_FIELDS = [
  'name', 'givenName', 'familyName', 'phone', 'email', 'whatsapp', 'telegram', 'viber', 'messenger', 'instagram', 'tags',
  'street', 'district', 'city', 'region', 'postalCode', 'country', 'language', 'timezone', 'consent', 'ignore',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export interface PreviewRow {
  row: number;
  action: 'create' | 'update' | 'merge' | 'skip' | 'error';
  contactId: string | null;
  sameAsRow: number | null;
  name: string | null;
  identities: { kind: string; value: string; consent: string | null }[];
  tags: string[];
  address: Record<string, string> | null;
  language: string | null;
  timezone: string | null;
  message: string | null;
  /** Which case `message` is, with the values it quotes, to word it in Spanish (problems.ts); absent in older results. */
  code?: string | null;
  facts?: Record<string, unknown> | null;
}

export interface RowError {
  row: number;
  message: string;
  code?: string;
  facts?: Record<string, unknown>;
}

export interface ImportResult {
  id: string;
  format: 'csv' | 'vcard';
  dryRun: boolean;
  encoding: string;
  notes: string[];
  total: number;
  created: number;
  updated: number;
  skipped: number;
  merged: number;
  errorCount: number;
  errors: RowError[];
  mapping: Record<string, ImportField> | null;
  preview?: PreviewRow[];
}

export interface ImportJob {
  id: string;
  status: 'running' | 'done' | 'failed';
  phase: string;
  processed: number;
  total: number;
  result: ImportResult | null;
  error: string | null;
}
