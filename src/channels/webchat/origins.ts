// Which websites may open chats on a channel. Browsers always send Origin with a WebSocket handshake and with
// cross-site POSTs, so checking it stops other sites from embedding a business's chat; it is not authentication
// (a script outside a browser can send any Origin), the visitor token is.

/**
 * `allowedOrigins` unset or empty: any site. Lifeline's own origins (the contact page) are always allowed.
 * A missing Origin is refused when a list is set: every browser sends one, so only scripts lack it.
 */
export function originAllowed(origin: string | undefined, allowedOrigins: readonly string[] | undefined, ownUrls: readonly string[]): boolean {
  if (!allowedOrigins || allowedOrigins.length === 0) return true;
  if (!origin) return false;
  const own = ownUrls.map(originOf).filter((o): o is string => o !== null);
  return allowedOrigins.includes(origin) || own.includes(origin);
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
