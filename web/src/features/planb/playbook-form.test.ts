import { describe, expect, it } from 'vitest';
import { formToSettings, settingsToForm } from './playbook-form';
import type { IncidentSettings } from './types';

const settings: IncidentSettings = {
  openAfterSeconds: 60,
  closeAfterSeconds: 120,
  activeWithinDays: 30,
  language: 'es',
  alerts: { email: 'owner@shop.example' },
  playbook: { notify: { enabled: true, text: 'Write to us on SMS' }, notice: { enabled: true }, autoReply: { enabled: false }, callList: { enabled: true }, recovery: { enabled: false } },
  byKind: { whatsapp: { notify: { enabled: false }, notice: { enabled: true, text: 'WhatsApp is down' }, autoReply: { enabled: true }, callList: { enabled: false }, recovery: { enabled: true } } },
};

describe('the playbook form', () => {
  it('gives back what it was given', () => {
    expect(formToSettings(settingsToForm(settings))).toEqual(settings);
  });

  it('leaves out empty texts (the default applies), trims the rest and cleans the phone', () => {
    const form = settingsToForm(settings);
    form.playbook.notify.text = '   ';
    form.playbook.recovery.text = '  We are back ';
    form.alertPhone = '+51 987 654 321';
    form.alertEmail = ' ';
    const body = formToSettings(form);
    expect(body.playbook.notify).toEqual({ enabled: true });
    expect(body.playbook.recovery).toEqual({ enabled: false, text: 'We are back' });
    expect(body.alerts).toEqual({ phone: '+51987654321' });
  });
});
