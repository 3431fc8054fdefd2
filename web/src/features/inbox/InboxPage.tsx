export function InboxPage({ conversationId }: { conversationId: string | null }) { return <p>{conversationId}</p>; }
