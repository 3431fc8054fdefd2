// Message text as text: React escapes it, and only http(s) URLs become links, opened without access to this tab.
import { linkify } from '../format';

export function RichText({ text }: { text: string }) {
  return (
    <span className="rich-text">
      {linkify(text).map((part, i) =>
        'href' in part ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer nofollow ugc">
            {part.text}
          </a>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </span>
  );
}
