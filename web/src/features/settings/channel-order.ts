// The workspace's channel order (which channel Auto tries first) is edited with up/down buttons; this is the move.

/** Moves the item at `index` one place up (-1) or down (+1); out-of-range moves leave the list as it is. */
export function moveItem<T>(list: readonly T[], index: number, step: -1 | 1): T[] {
  const target = index + step;
  const copy = [...list];
  if (index < 0 || index >= list.length || target < 0 || target >= list.length) return copy;
  [copy[index], copy[target]] = [copy[target]!, copy[index]!];
  return copy;
}
