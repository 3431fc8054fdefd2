// The customer's preferred channel order as a list of channel kinds: moving, adding and removing kinds. Pure.

/** Moves `kind` one place up (-1) or down (+1); at either end the list is returned unchanged. */
export function moveKind(order: readonly string[], kind: string, delta: -1 | 1): string[] {
  const from = order.indexOf(kind);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= order.length) return [...order];
  const next = [...order];
  next[from] = next[to]!;
  next[to] = kind;
  return next;
}

/** Appends `kind` at the end (the lowest preference); a kind already listed stays where it is. */
export function addKind(order: readonly string[], kind: string): string[] {
  return order.includes(kind) ? [...order] : [...order, kind];
}

export function removeKind(order: readonly string[], kind: string): string[] {
  return order.filter((k) => k !== kind);
}

/** The workspace's channel kinds (once each, in the workspace's order) that the list does not name yet. */
export function kindsToAdd(workspaceKinds: readonly string[], order: readonly string[]): string[] {
  return [...new Set(workspaceKinds)].filter((kind) => !order.includes(kind));
}
