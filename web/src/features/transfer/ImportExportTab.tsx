// Settings › Import & export (owners and admins): bring contacts in from a spreadsheet or phone, take everything
// out, and decide how long messages are kept.
import { useStrings } from '../../i18n';
import { ExportData } from './ExportData';
import { ImportContacts } from './ImportContacts';
import { Retention } from './Retention';
import { strings } from './strings';
import './transfer.css';

export function ImportExportTab() {
  const s = useStrings(strings);
  return (
    <section aria-labelledby="settings-transfer">
      <h2 id="settings-transfer">{s.title}</h2>
      <ImportContacts />
      <ExportData />
      <Retention />
    </section>
  );
}
