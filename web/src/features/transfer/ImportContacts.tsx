// Import contacts from a CSV or vCard file: choosing the file runs a dry run that shows how each column will be read
// (a select per column, to correct the guess), the first rows as they would be imported, and every row that would be
// left out with why. Import then runs in the background, with its progress, and ends with what it did.
import { useEffect, useId, useRef, useState } from 'react';
import { ApiError, get } from '../../api';
import { ErrorNote } from '../../components/ErrorNote';
import { channelName } from '../../format';
import { fill, useLanguage, useStrings } from '../../i18n';
import { importNotes, importProblemText } from './problems';
import { strings } from './strings';
import { IMPORT_FIELDS, type ImportField, type ImportJob, type ImportResult } from './types';
import { type FileFormat, fileFormat, uploadFile } from './upload';

const PREVIEW_ROWS = 10;
const POLL_MS = 500;
const ERRORS_SHOWN = 200;

type Stage = { kind: 'idle' } | { kind: 'checking' } | { kind: 'ready' } | { kind: 'importing'; job: ImportJob | null } | { kind: 'done'; result: ImportResult };

function importPath(options: { dryRun: boolean; mapping: Record<string, string> }): string {
  const search = new URLSearchParams();
  if (options.dryRun) {
    search.set('dryRun', 'true');
    search.set('preview', String(PREVIEW_ROWS));
  } else search.set('wait', 'false');
  for (const [column, field] of Object.entries(options.mapping)) search.append('map', `${column}=${field}`);
  return `/imports/contacts?${search.toString()}`;
}

export function ImportContacts() {
  const s = useStrings(strings);
  const inputId = useId();
  const [file, setFile] = useState<{ blob: File; format: FileFormat } | null>(null);
  const [preview, setPreview] = useState<ImportResult | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [error, setError] = useState<unknown>(null);
  const summaryRef = useRef<HTMLHeadingElement>(null);

  const check = async (chosen: { blob: File; format: FileFormat }, overrides: Record<string, string>) => {
    setStage({ kind: 'checking' });
    setError(null);
    try {
      const body = await uploadFile<ImportResult>(importPath({ dryRun: true, mapping: overrides }), chosen.blob, chosen.format);
      setPreview(body);
      setStage({ kind: 'ready' });
    } catch (caught) {
      setError(caught);
      setStage({ kind: preview ? 'ready' : 'idle' });
    }
  };

  const choose = (chosen: File | undefined) => {
    setPreview(null);
    setMapping({});
    setStage({ kind: 'idle' });
    if (!chosen) return setFile(null);
    const next = { blob: chosen, format: fileFormat(chosen) };
    setFile(next);
    void check(next, {});
  };

  const remap = (column: string, field: string) => {
    if (!file) return;
    const next = { ...mapping, [column]: field };
    setMapping(next);
    void check(file, next);
  };

  const run = async () => {
    if (!file) return;
    setError(null);
    setStage({ kind: 'importing', job: null });
    try {
      const body = await uploadFile<{ id: string }>(importPath({ dryRun: false, mapping }), file.blob, file.format);
      for (;;) {
        const job = await get<ImportJob>(`/imports/${encodeURIComponent(body.id)}`);
        if (job.status === 'done' && job.result) return setStage({ kind: 'done', result: job.result });
        if (job.status === 'failed') throw new ApiError(500, 'import_failed', job.error ?? s.importFailed);
        setStage({ kind: 'importing', job });
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } catch (caught) {
      setError(caught);
      setStage({ kind: 'ready' });
    }
  };

  useEffect(() => {
    if (stage.kind === 'done') summaryRef.current?.focus();
  }, [stage.kind]);

  const busy = stage.kind === 'checking' || stage.kind === 'importing';

  return (
    <section aria-labelledby="import-title" className="settings-card">
      <h3 id="import-title">{s.importTitle}</h3>
      <p className="muted card-note">{s.importIntro}</p>
      <label htmlFor={inputId}>{s.chooseFile}</label>
      <input id={inputId} type="file" accept=".csv,.tsv,.txt,.vcf,.vcard,text/csv,text/vcard" disabled={busy} onChange={(event) => choose(event.target.files?.[0])} />
      <p role="status" className="muted">
        {stage.kind === 'checking' ? s.checking : ''}
      </p>
      <ErrorNote error={error} />

      {preview && stage.kind !== 'done' && <Preview preview={preview} mapping={mapping} disabled={busy} onRemap={remap} />}

      {preview && (stage.kind === 'ready' || stage.kind === 'importing') && (
        <div className="card-actions">
          <button type="button" className="primary" disabled={busy || preview.total - preview.errorCount <= 0} onClick={() => void run()}>
            {stage.kind === 'importing' ? s.importing : fill(s.importButton, { n: preview.total - preview.errorCount })}
          </button>
        </div>
      )}

      {stage.kind === 'importing' && (
        <div className="import-progress">
          <progress max={Math.max(stage.job?.total ?? 0, 1)} value={stage.job?.processed ?? 0} aria-label={s.importProgress} />
          <p className="muted" role="status">
            {stage.job ? fill(s.importProgressText, { processed: stage.job.processed, total: stage.job.total, phase: phaseWord(stage.job.phase, s) }) : s.importStarting}
          </p>
        </div>
      )}

      {stage.kind === 'done' && (
        <div className="import-summary" data-testid="import-summary">
          <h4 ref={summaryRef} tabIndex={-1}>
            {s.importDone}
          </h4>
          <Summary result={stage.result} />
          <RowErrors result={stage.result} />
          <div className="card-actions">
            <button type="button" onClick={() => choose(undefined)}>
              {s.importAnother}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

function phaseWord(phase: string, s: (typeof strings)['en']): string {
  const words: Record<string, string> = { reading: s.phaseReading, checking: s.phaseChecking, matching: s.phaseMatching, writing: s.phaseWriting, done: s.phaseDone };
  return words[phase] ?? phase;
}

function fieldWord(field: string, s: (typeof strings)['en'], language: 'en' | 'es'): string {
  const channels = ['whatsapp', 'telegram', 'viber', 'messenger', 'instagram'];
  if (channels.includes(field)) return channelName(field, language);
  const words: Record<string, string> = {
    name: s.fieldName,
    givenName: s.fieldGivenName,
    familyName: s.fieldFamilyName,
    phone: s.fieldPhone,
    email: s.fieldEmail,
    tags: s.fieldTags,
    street: s.fieldStreet,
    district: s.fieldDistrict,
    city: s.fieldCity,
    region: s.fieldRegion,
    postalCode: s.fieldPostalCode,
    country: s.fieldCountry,
    language: s.fieldLanguage,
    timezone: s.fieldTimezone,
    consent: s.fieldConsent,
    ignore: s.fieldIgnore,
  };
  return words[field] ?? field;
}

function Preview({ preview, mapping, disabled, onRemap }: { preview: ImportResult; mapping: Record<string, string>; disabled: boolean; onRemap: (column: string, field: string) => void }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  const actions: Record<string, string> = { create: s.actionCreate, update: s.actionUpdate, merge: s.actionMerge, skip: s.actionSkip, error: s.actionError };
  const columns = Object.entries(preview.mapping ?? {});
  return (
    <div className="import-preview" data-testid="import-preview">
      <h4>{s.previewTitle}</h4>
      <Summary result={preview} />
      {importNotes(preview, language).map((note, i) => (
        <p key={i} className="warning">
          {note}
        </p>
      ))}
      {columns.length > 0 && (
        <fieldset className="field-group">
          <legend>{s.columnsTitle}</legend>
          <p className="muted">{s.columnsHint}</p>
          <div className="form-row">
            {columns.map(([column, field]) => (
              <label key={column}>
                {fill(s.columnLabel, { column })}
                <select value={mapping[column] ?? field} disabled={disabled} onChange={(event) => onRemap(column, event.target.value)}>
                  {IMPORT_FIELDS.map((f: ImportField) => (
                    <option key={f} value={f}>
                      {fieldWord(f, s, language)}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      {preview.preview && preview.preview.length > 0 && (
        <>
          <h4>{preview.preview.length === 1 ? s.firstRow : fill(s.firstRows, { n: preview.preview.length })}</h4>
          <ul className="preview-rows">
            {preview.preview.map((row) => (
              <li key={row.row} data-row={row.row} className={`preview-${row.action}`}>
                <div className="card-title">
                  <strong>{fill(s.rowN, { n: row.row })}</strong>
                  <span className={`badge ${row.action === 'error' ? 'state-failed' : row.action === 'create' ? 'state-delivered' : ''}`}>{actions[row.action] ?? row.action}</span>
                </div>
                {row.name && <span>{row.name}</span>}
                {row.identities.length > 0 && <span className="muted">{row.identities.map((i) => `${fieldWord(i.kind, s, language)}: ${i.value}`).join(' · ')}</span>}
                {row.tags.length > 0 && (
                  <span>
                    {row.tags.map((tag) => (
                      <span key={tag} className="tag">
                        {tag}
                      </span>
                    ))}
                  </span>
                )}
                {row.sameAsRow !== null && <span className="muted">{fill(s.sameAsRow, { n: row.sameAsRow })}</span>}
                {/* A merged row's message says again what sameAsRow says. */}
                {row.message && row.action !== 'merge' && (
                  <span className={row.action === 'error' ? 'field-error' : 'muted'}>{importProblemText({ message: row.message, code: row.code, facts: row.facts }, language)}</span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <RowErrors result={preview} />
    </div>
  );
}

function Summary({ result }: { result: ImportResult }) {
  const s = useStrings(strings);
  const items = result.dryRun
    ? [
        [s.sumRows, result.total],
        [s.sumWouldCreate, result.created],
        [s.sumWouldUpdate, result.updated],
        [s.sumMerged, result.merged],
        [s.sumUnchanged, result.skipped],
        [s.sumErrors, result.errorCount],
      ]
    : [
        [s.sumRows, result.total],
        [s.sumCreated, result.created],
        [s.sumUpdated, result.updated],
        [s.sumMerged, result.merged],
        [s.sumUnchanged, result.skipped],
        [s.sumErrors, result.errorCount],
      ];
  return (
    <dl className="import-counts">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function RowErrors({ result }: { result: ImportResult }) {
  const s = useStrings(strings);
  const { language } = useLanguage();
  if (result.errors.length === 0) return null;
  const label = result.format === 'vcard' ? s.cardN : s.rowN;
  // One line per row: a row with two problems says both.
  const byRow = new Map<number, string[]>();
  for (const e of result.errors) byRow.set(e.row, [...(byRow.get(e.row) ?? []), importProblemText(e, language)]);
  const rows = [...byRow].slice(0, ERRORS_SHOWN);
  return (
    <div className="row-errors">
      <h4>{fill(result.dryRun ? s.errorsWillSkip : s.errorsSkipped, { n: result.errorCount })}</h4>
      <ul>
        {rows.map(([row, messages]) => (
          <li key={row}>
            <strong>{fill(label, { n: row })}:</strong> {messages.join('; ')}
          </li>
        ))}
      </ul>
      {result.errorCount > rows.length && <p className="muted">{fill(s.errorsMore, { n: result.errorCount - rows.length })}</p>}
    </div>
  );
}
