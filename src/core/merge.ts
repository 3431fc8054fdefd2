// Deciding what a merged contact looks like and which contacts are probably one person. Pure: the store applies it.

export interface MergeableContact {
  id: string;
  name: string | null;
  address: Record<string, string> | null;
  preferredChannels: string[];
  timezone: string | null;
  language: string | null;
  createdAt: number;
}

/** The surviving contact keeps its own values and takes the other's only where it has none. */
export function mergeContactFields<T extends MergeableContact>(keep: T, other: MergeableContact): T {
  const preferred = [...keep.preferredChannels];
  for (const channel of other.preferredChannels) if (!preferred.includes(channel)) preferred.push(channel);
  return {
    ...keep,
    name: keep.name?.trim() ? keep.name : other.name,
    address: keep.address && Object.keys(keep.address).length > 0 ? keep.address : other.address,
    preferredChannels: preferred,
    timezone: keep.timezone ?? other.timezone,
    language: keep.language ?? other.language,
    createdAt: Math.min(keep.createdAt, other.createdAt),
  };
}

export interface IdentityForMatching {
  contactId: string;
  matchKey: string;
}

export interface MergeSuggestion {
  contactIds: [string, string];
  reason: string;
  /** The handle one of them left in the web chat that belongs to the other, when that is why. */
  leftInChat?: { kind: string; value: string };
}

/** Pairs linked because a web chat visitor left another customer's handle, after those sharing one, each pair once. */
export function withChatLinks(shared: MergeSuggestion[], links: readonly { contactId: string; otherContactId: string; kind: string; value: string }[]): MergeSuggestion[] {
  const seen = new Set(shared.map((s) => [...s.contactIds].sort().join('|')));
  const all = [...shared];
  for (const link of links) {
    const pair = [link.contactId, link.otherContactId].sort() as [string, string];
    if (seen.has(pair.join('|'))) continue;
    seen.add(pair.join('|'));
    const what = link.kind === 'email' ? 'email address' : 'phone number';
    all.push({ contactIds: pair, reason: `One of them left the ${what} ${link.value} in the web chat, and the other has it.`, leftInChat: { kind: link.kind, value: link.value } });
  }
  return all;
}

/** Pairs of distinct contacts that share a phone number or an email address (across identity kinds). */
export function suggestMerges(identities: IdentityForMatching[]): MergeSuggestion[] {
  const byKey = new Map<string, Set<string>>();
  for (const identity of identities) {
    if (!identity.matchKey.startsWith('tel:') && !identity.matchKey.startsWith('mail:')) continue;
    const owners = byKey.get(identity.matchKey) ?? new Set<string>();
    owners.add(identity.contactId);
    byKey.set(identity.matchKey, owners);
  }
  const seen = new Set<string>();
  const suggestions: MergeSuggestion[] = [];
  for (const [key, owners] of byKey) {
    const ids = [...owners].sort();
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const pair: [string, string] = [ids[i]!, ids[j]!];
        const pairKey = pair.join('|');
        if (seen.has(pairKey)) continue;
        seen.add(pairKey);
        const what = key.startsWith('tel:') ? 'phone number' : 'email address';
        suggestions.push({ contactIds: pair, reason: `Both have the ${what} ${key.slice(key.indexOf(':') + 1)}.` });
      }
    }
  }
  return suggestions;
}
