// The playbook editor keeps every text as a string (empty = the default text) and sends the server what its schema
// wants: texts trimmed, and left out when empty rather than sent as "" (which it refuses).
import type { IncidentSettings, Playbook } from './types';

export const TEXT_ACTIONS = ['notify', 'notice', 'autoReply', 'recovery'] as const;
export type TextAction = (typeof TEXT_ACTIONS)[number];

export interface PlaybookForm {
  notify: { enabled: boolean; text: string };
  notice: { enabled: boolean; text: string };
  autoReply: { enabled: boolean; text: string };
  callList: { enabled: boolean };
  recovery: { enabled: boolean; text: string };
}

export interface SettingsForm {
  openAfterSeconds: string;
  closeAfterSeconds: string;
  activeWithinDays: string;
  language: 'en' | 'es';
  alertEmail: string;
  alertPhone: string;
  playbook: PlaybookForm;
  byKind: { kind: string; playbook: PlaybookForm }[];
}

export function playbookToForm(playbook: Playbook): PlaybookForm {
  return {
    notify: { enabled: playbook.notify.enabled, text: playbook.notify.text ?? '' },
    notice: { enabled: playbook.notice.enabled, text: playbook.notice.text ?? '' },
    autoReply: { enabled: playbook.autoReply.enabled, text: playbook.autoReply.text ?? '' },
    callList: { enabled: playbook.callList.enabled },
    recovery: { enabled: playbook.recovery.enabled, text: playbook.recovery.text ?? '' },
  };
}

export function formToPlaybook(form: PlaybookForm): Playbook {
  const withText = (part: { enabled: boolean; text: string }) => (part.text.trim() ? { enabled: part.enabled, text: part.text.trim() } : { enabled: part.enabled });
  return {
    notify: withText(form.notify),
    notice: withText(form.notice),
    autoReply: withText(form.autoReply),
    callList: { enabled: form.callList.enabled },
    recovery: withText(form.recovery),
  };
}

export function settingsToForm(settings: IncidentSettings): SettingsForm {
  return {
    openAfterSeconds: String(settings.openAfterSeconds),
    closeAfterSeconds: String(settings.closeAfterSeconds),
    activeWithinDays: String(settings.activeWithinDays),
    language: settings.language,
    alertEmail: settings.alerts.email ?? '',
    alertPhone: settings.alerts.phone ?? '',
    playbook: playbookToForm(settings.playbook),
    byKind: Object.entries(settings.byKind).map(([kind, playbook]) => ({ kind, playbook: playbookToForm(playbook) })),
  };
}

/** The PUT /playbooks body; a number left empty goes as 0, which the server refuses with a message naming the field. */
export function formToSettings(form: SettingsForm): IncidentSettings {
  const whole = (text: string) => (text.trim() === '' ? 0 : Number(text));
  const alerts: IncidentSettings['alerts'] = {};
  if (form.alertEmail.trim()) alerts.email = form.alertEmail.trim();
  if (form.alertPhone.trim()) alerts.phone = form.alertPhone.replace(/[\s()-]/g, '');
  return {
    openAfterSeconds: whole(form.openAfterSeconds),
    closeAfterSeconds: whole(form.closeAfterSeconds),
    activeWithinDays: whole(form.activeWithinDays),
    language: form.language,
    alerts,
    playbook: formToPlaybook(form.playbook),
    byKind: Object.fromEntries(form.byKind.map((entry) => [entry.kind, formToPlaybook(entry.playbook)])),
  };
}
