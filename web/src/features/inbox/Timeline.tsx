// One customer's whole story across channels, oldest at the top: each message with its channel, time and delivery
// state, the path it took when it failed over, and internal notes.
import { useLayoutEffect, useRef } from 'react';
import { RichText } from '../../components/RichText';
import { channelName, formatTime, isSafeUrl } from '../../format';
import { useLanguage, useStrings } from '../../i18n';
import type { TimelineItem } from '../../types';
import { deliveryPath, deliveryReasons } from './delivery-path';
import { strings } from './strings';

type StateWord = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'received' | 'unknown';

function stateOf(item: TimelineItem): StateWord {
  const state = item.delivery?.status ?? item.status;
  const known: StateWord[] = ['queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'received'];
  return (known as string[]).includes(state) ? (state as StateWord) : 'unknown';
}

export function Timeline({ items, hasOlder, onOlder }: { items: TimelineItem[]; hasOlder: boolean; onOlder: () => void }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const end = useRef<HTMLLIElement>(null);
  const newest = items[0]?.id;
  // Follow the conversation: a new message scrolls into view; loading older ones does not jump. "nearest": on a phone,
  // where the page scrolls too, the page moves only if the newest message is off screen (the reply box stays put).
  useLayoutEffect(() => {
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [newest]);

  const chronological = [...items].reverse();
  return (
    <ol className="timeline" aria-live="polite" aria-relevant="additions">
      {hasOlder && (
        <li className="older">
          <button type="button" className="link" onClick={onOlder}>
            {s.olderMessages}
          </button>
        </li>
      )}
      {chronological.length === 0 && <li className="muted empty">{s.noMessages}</li>}
      {chronological.map((item) => {
        const state = stateOf(item);
        const path = item.delivery ? deliveryPath(item.delivery, s, language, (iso) => formatTime(iso, language)) : null;
        const explanations = item.delivery && (path || state === 'failed') ? deliveryReasons(item.delivery, language) : item.errorExplanation ? [item.errorExplanation] : [];
        return (
          <li key={item.id} className={`message ${item.direction}`} data-message-id={item.id} data-state={state}>
            <div className="bubble">
              {item.direction === 'note' && <div className="note-label">{s.note}</div>}
              <p className="body">
                <RichText text={item.body} />
              </p>
              {item.attachments.length > 0 && (
                <ul className="attachments">
                  {item.attachments.map((a, i) => (
                    <li key={i}>
                      {isSafeUrl(a.url) ? (
                        <a href={a.url} target="_blank" rel="noopener noreferrer nofollow">
                          {a.filename ?? s.attachment}
                        </a>
                      ) : (
                        <span>{a.filename ?? s.attachment}</span>
                      )}
                    </li>
                  ))}
                </ul>
              )}
              <div className="meta">
                {item.channel && item.direction !== 'note' && <span className="badge">{channelName(item.delivery?.channel ?? item.channel, language)}</span>}
                <time dateTime={item.createdAt}>{formatTime(item.createdAt, language)}</time>
                {item.direction === 'outbound' && <span className={`badge state-${state}`}>{s[state]}</span>}
              </div>
              {path && <div className="path">{path}</div>}
              {explanations.length > 0 && (state === 'failed' || path) && (
                <div className="explanation">
                  {explanations.map((text) => (
                    <p key={text}>{text}</p>
                  ))}
                </div>
              )}
            </div>
          </li>
        );
      })}
      <li ref={end} className="end" aria-hidden="true" />
    </ol>
  );
}
