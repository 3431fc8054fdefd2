// The "add a channel" form is generated from each kind's credential fields (GET /channel-kinds): these pure helpers
// turn the form's values into the config the server validates, and the server's validation issues back into a
// message beside the field that caused it.

export type FieldType = 'string' | 'number' | 'boolean' | 'enum';

export interface KindField {
  /** The config key; a dotted name ("smtp.host") is a key inside a nested object. */
  name: string;
  type: FieldType;
  /** Required by the form; a field of an optional group (email's imap.*) is not, though the group needs it when used. */
  required: boolean;
  secret: boolean;
  options?: string[];
  description?: string;
  /** What the server uses when the field is left out. */
  default?: string | number | boolean;
  /** A list of values, written one per line: sent as an array. */
  multiple?: true;
}

export interface ChannelKind {
  kind: string;
  name: string;
  fields: KindField[];
}

export type FormValue = string | boolean;

const groupOf = (name: string) => (name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '');
const booleanDefault = (field: KindField) => field.default === true;

/** What the form starts with: checkboxes at the server's default, other fields empty (their default is shown as a hint). */
export function initialValues(fields: readonly KindField[]): Record<string, FormValue> {
  const values: Record<string, FormValue> = {};
  for (const field of fields) {
    if (field.type === 'boolean') values[field.name] = booleanDefault(field);
    // A required choice has no empty option: the select shows the first one, so the form holds it too.
    else if (field.type === 'enum' && field.required) values[field.name] = field.options?.[0] ?? '';
    else values[field.name] = '';
  }
  return values;
}

/** The values of a "multiple" field: one per line (commas also separate). */
export function listOf(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((v) => v.trim())
    .filter(Boolean);
}

/**
 * The config object for POST /channels. Empty optional fields are left out so the server applies its defaults;
 * numbers are sent as numbers, lists as arrays, dotted names as nested objects. A checkbox left at its default is
 * sent only when it is required or its group is in use: an untouched optional group (email's IMAP) stays out.
 */
export function configFromForm(fields: readonly KindField[], values: Readonly<Record<string, FormValue | undefined>>): Record<string, unknown> {
  const changed = (field: KindField) => {
    const value = values[field.name];
    return field.type === 'boolean' ? (value === true) !== booleanDefault(field) : typeof value === 'string' && value.trim() !== '';
  };
  const groupUsed = (group: string) => group === '' || fields.some((f) => f.name.startsWith(`${group}.`) && changed(f));

  const config: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = values[field.name];
    let value: unknown;
    if (field.type === 'boolean') {
      if (!field.required && !changed(field) && (groupOf(field.name) === '' || !groupUsed(groupOf(field.name)))) continue;
      value = raw === true;
    } else {
      const text = typeof raw === 'string' ? raw.trim() : '';
      if (text === '') continue;
      const one = (item: string) => (field.type === 'number' && Number.isFinite(Number(item)) ? Number(item) : item);
      value = field.multiple ? listOf(text).map(one) : one(text);
    }
    setPath(config, field.name.split('.'), value);
  }
  return config;
}

/** The value of a dotted field name ("imap.host") in a config object; undefined when it is not there. */
export function configValue(config: Readonly<Record<string, unknown>>, name: string): unknown {
  return name.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), config);
}

/**
 * What the edit form starts with: the channel's settings as the server shows them. Secrets come masked, so their
 * fields start empty (left empty, the stored secret is kept); lists are written one per line; a value equal to the
 * field's default starts empty, as in a new form (the default is shown as a hint), so that emptying a group's
 * fields empties the group.
 */
export function valuesFromConfig(fields: readonly KindField[], config: Readonly<Record<string, unknown>>): Record<string, FormValue> {
  const values = initialValues(fields);
  for (const field of fields) {
    if (field.secret) continue;
    const value = configValue(config, field.name);
    if (value === undefined || value === null) continue;
    if (field.type !== 'boolean' && field.default !== undefined && value === field.default) continue;
    if (field.type === 'boolean') values[field.name] = value === true;
    else values[field.name] = Array.isArray(value) ? value.map(String).join('\n') : String(value);
  }
  return values;
}

/**
 * The config for PATCH /channels/{id}: what configFromForm sends, plus null for what was set and is now emptied
 * (the server then removes it): a group emptied entirely (email's imap) goes as a whole. Secrets left empty are
 * left out, which keeps them.
 */
export function configPatchFromForm(
  fields: readonly KindField[],
  values: Readonly<Record<string, FormValue | undefined>>,
  initial: Readonly<Record<string, FormValue | undefined>>,
): Record<string, unknown> {
  const config = configFromForm(fields, values);
  const blank = (field: KindField, from: Readonly<Record<string, FormValue | undefined>>) => field.type !== 'boolean' && String(from[field.name] ?? '').trim() === '';
  for (const field of fields) {
    if (field.secret || field.type === 'boolean' || blank(field, initial) || !blank(field, values)) continue;
    const group = field.name.includes('.') ? field.name.slice(0, field.name.indexOf('.')) : null;
    if (group !== null && !(group in config)) config[group] = null;
    else if (group === null || config[group] !== null) setPath(config, field.name.split('.'), null);
  }
  return config;
}

/** Fields in their order, those of one nested object (smtp.*, imap.*) together under its top-level name. */
export function groupFields(fields: readonly KindField[]): { group: string | null; fields: KindField[] }[] {
  const groups: { group: string | null; fields: KindField[] }[] = [];
  for (const field of fields) {
    const group = field.name.includes('.') ? field.name.slice(0, field.name.indexOf('.')) : null;
    const last = groups[groups.length - 1];
    if (group !== null && last?.group === group) last.fields.push(field);
    else groups.push({ group, fields: [field] });
  }
  return groups;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = next && typeof next === 'object' ? (next as Record<string, unknown>) : (node[key] = {});
  }
  node[path[path.length - 1]!] = value;
}

/**
 * Which field each of the server's issues is about. The server's invalid_channel_config error carries
 * `details.issues` such as "config.botToken: a bot token looks like …"; an issue about a nested key
 * ("config.smtp.host: …") belongs to the longest field name it starts with.
 */
export function fieldErrorsOf(fields: readonly KindField[], details: unknown, requiredText = 'Fill this in.'): Record<string, string> {
  const issues = (details as { issues?: unknown } | null | undefined)?.issues;
  if (!Array.isArray(issues)) return {};
  const names = fields.map((f) => f.name).sort((a, b) => b.length - a.length);
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    if (typeof issue !== 'string') continue;
    const match = /^config\.([^:]*):\s*(.*)$/s.exec(issue);
    if (!match) continue;
    const [, path = '', message = ''] = match;
    // An issue about a whole group ("config.smtp: Required") goes to the group's first field.
    const name = names.find((n) => path === n || path.startsWith(`${n}.`)) ?? fields.find((f) => f.name.startsWith(`${path}.`))?.name;
    // zod's words for a missing value ("expected string, received undefined") say nothing to a shop owner.
    if (name && !(name in errors)) errors[name] = /received undefined$/.test(message) ? requiredText : message;
  }
  return errors;
}

/** "botToken" → "Bot token", "smtp.host" → "Smtp host": a readable label for a field nobody translated. */
export function humanizeFieldName(name: string): string {
  const words = name
    .replace(/\./g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Channels whose provider Lifeline registers the webhook with itself (Telegram setWebhook, Viber set_webhook). */
export const WEBHOOK_SET_ITSELF: ReadonlySet<string> = new Set(['telegram', 'viber']);
/** Channels no provider calls: email is read over IMAP, the web chat is Lifeline's own, call tasks are for staff. */
export const NO_WEBHOOK: ReadonlySet<string> = new Set(['email', 'webchat', 'voice']);
