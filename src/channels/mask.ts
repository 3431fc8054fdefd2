// Channel credentials leave the API masked: enough to recognise them, never enough to use them.

function maskValue(value: unknown): unknown {
  if (typeof value !== 'string' || value.length === 0) return value;
  return value.length <= 8 ? '••••' : `••••${value.slice(-4)}`;
}

/** `secretFields` are dotted paths such as `accessToken` or `smtp.pass`. */
export function maskConfig(config: Record<string, unknown>, secretFields: readonly string[]): Record<string, unknown> {
  const copy = structuredClone(config);
  for (const path of secretFields) {
    const keys = path.split('.');
    let node: Record<string, unknown> | undefined = copy;
    for (const key of keys.slice(0, -1)) node = node?.[key] as Record<string, unknown> | undefined;
    const last = keys.at(-1)!;
    if (node && last in node) node[last] = maskValue(node[last]);
  }
  return copy;
}

/**
 * On update, a secret sent back masked (or left out) keeps its stored value, and a key sent as null is removed
 * (an optional setting cleared, or a whole group such as email's imap given up, secrets and all).
 */
export function mergeConfig(
  stored: Record<string, unknown>,
  patch: Record<string, unknown>,
  secretFields: readonly string[],
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...stored, ...patch };
  for (const path of secretFields) {
    const keys = path.split('.');
    // A group the patch removes takes its secrets with it.
    if (keys.some((_, i) => valueAt(patch, keys.slice(0, i + 1)) === null)) continue;
    const sent = valueAt(patch, keys);
    if (sent === undefined || (typeof sent === 'string' && sent.startsWith('••••'))) {
      const kept = valueAt(stored, keys);
      if (kept === undefined) continue;
      let node = merged;
      for (const key of keys.slice(0, -1)) {
        node[key] = { ...((node[key] as Record<string, unknown>) ?? {}) };
        node = node[key] as Record<string, unknown>;
      }
      node[keys.at(-1)!] = kept;
    }
  }
  return withoutNulls(merged);
}

function valueAt(root: Record<string, unknown>, keys: readonly string[]): unknown {
  return keys.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);
}

function withoutNulls(config: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === null) continue;
    kept[key] = value && typeof value === 'object' && !Array.isArray(value) ? withoutNulls(value as Record<string, unknown>) : value;
  }
  return kept;
}
