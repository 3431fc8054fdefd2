// What search compares: text without case or accents, so that "maria pena" finds "María Peña" as people expect
// when they type on a keyboard without accents.

/** Lower case, accents and other combining marks removed (ñ → n, ü → u). */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
