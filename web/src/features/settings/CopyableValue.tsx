// A value to paste somewhere else (a webhook URL, a new API key): shown whole in a read-only field, with a copy button
// that says whether it worked; when the clipboard is not available the text is selected for a manual copy.
import { useEffect, useId, useRef, useState } from 'react';
import { fill, useStrings } from '../../i18n';
import { strings } from './strings';

export function CopyableValue({ label, value, name }: { label: string; value: string; name?: string }) {
  const s = useStrings(strings);
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [result, setResult] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (result !== 'copied') return;
    const timer = setTimeout(() => setResult('idle'), 4000);
    return () => clearTimeout(timer);
  }, [result]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setResult('copied');
    } catch {
      input.current?.select();
      setResult('failed');
    }
  };

  return (
    <div className="copyable">
      <label htmlFor={id}>{label}</label>
      <div className="copyable-row">
        <input id={id} ref={input} name={name} readOnly value={value} spellCheck={false} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" onClick={() => void copy()} aria-label={fill(s.copyWhat, { what: label })}>
          {s.copy}
        </button>
      </div>
      <span role="status" className="copy-result">
        {result === 'copied' ? s.copied : result === 'failed' ? s.copyFailed : ''}
      </span>
    </div>
  );
}
