// What a broadcast is asked to do: the engine API's input (`createBroadcast`, called by the API, the CLI and the
// plan-B playbooks) and its checks. Pure: validation only, so every caller gets the same answers to bad input.
import { z } from 'zod';
import { CHANNEL_KINDS } from '../channels/types.js';

export const BROADCAST_PURPOSES = ['transactional', 'marketing'] as const;
export type BroadcastPurpose = (typeof BROADCAST_PURPOSES)[number];

export interface BroadcastTemplate {
  name: string;
  language: string;
  components?: unknown[];
}

/** What to send on one channel kind instead of the broadcast's own text. */
export interface BroadcastVariant {
  text?: string;
  /** Email only. */
  subject?: string;
  /** WhatsApp only: an approved template, needed outside the 24-hour window. */
  template?: BroadcastTemplate;
}

export interface AudienceFilter {
  /** Only contacts with a handle one of these channel kinds can address (a phone for SMS, an email address…). */
  handleOn?: string[];
  /** Only customers who wrote (any channel) within this many days. */
  activeWithinDays?: number;
}

export interface BroadcastAudienceInput {
  /** Contacts with any of these tags. */
  tags?: string[];
  contactIds?: string[];
  /** Every contact of the workspace. */
  all?: boolean;
  /** Narrows the contacts above. */
  filter?: AudienceFilter;
}

/** The engine API's input, as the plan-B playbooks call it (`createBroadcast` in service.ts). */
export interface BroadcastInput {
  name: string;
  audience: BroadcastAudienceInput;
  text: string;
  /** Per channel kind: `{ whatsapp: { template }, 'twilio-sms': { text }, email: { subject, text } }`. */
  variants?: Record<string, BroadcastVariant>;
  /** Channel kinds never used for this broadcast (the channel that is down, for a plan-B notice). */
  excludeChannels?: string[];
  /** Epoch ms: do not start before. */
  notBefore?: number;
  /** 'marketing' reaches only addresses with consent 'granted'; default 'transactional' (any not revoked). */
  purpose?: BroadcastPurpose;
  origin?: { incidentId?: string; playbookAction?: string };
  /** The same key again returns the first broadcast and creates nothing (a playbook action run twice). */
  idempotencyKey?: string;
}

const ChannelKind = z.enum(CHANNEL_KINDS);

export const TemplateSchema = z.strictObject({
  name: z.string().min(1).max(200),
  language: z.string().min(2).max(20),
  components: z.array(z.unknown()).max(50).optional(),
});

export const VariantSchema = z.strictObject({
  text: z.string().min(1).max(20_000).optional(),
  subject: z.string().min(1).max(300).optional(),
  template: TemplateSchema.optional(),
});

export const AudienceFilterSchema = z.strictObject({
  handleOn: z.array(ChannelKind).min(1).max(20).optional().describe('Only contacts with a handle one of these channel kinds can address.'),
  activeWithinDays: z.number().int().min(1).max(3650).optional().describe('Only customers who wrote (on any channel) within this many days.'),
});

export const AudienceSchema = z.strictObject({
  tags: z.array(z.string().trim().min(1).max(100)).max(50).optional().describe('Contacts with any of these tags.'),
  contactIds: z.array(z.string().min(1).max(100)).max(100_000).optional(),
  all: z.boolean().optional().describe('Every contact of the workspace.'),
  filter: AudienceFilterSchema.optional(),
});

export const BroadcastInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  audience: AudienceSchema,
  text: z.string().min(1).max(20_000),
  variants: z.partialRecord(ChannelKind, VariantSchema).optional(),
  excludeChannels: z.array(ChannelKind).max(20).optional(),
  notBefore: z.number().int().min(0).optional(),
  purpose: z.enum(BROADCAST_PURPOSES).optional(),
  origin: z.strictObject({ incidentId: z.string().min(1).max(100).optional(), playbookAction: z.string().min(1).max(100).optional() }).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
});

/** A problem with the input, in words that say what to change. */
export interface InputProblem {
  path: string;
  message: string;
}

/** The checks zod cannot express: an audience that names nobody, variants on the wrong channel. */
export function inputProblems(input: z.infer<typeof BroadcastInputSchema>): InputProblem[] {
  const problems: InputProblem[] = [];
  const { audience } = input;
  if (!audience.all && (audience.tags ?? []).length === 0 && (audience.contactIds ?? []).length === 0) {
    problems.push({ path: 'audience', message: 'The audience names nobody: give tags, contactIds, or all: true.' });
  }
  for (const [kind, variant] of Object.entries(input.variants ?? {})) {
    if (!variant) continue;
    if (variant.text === undefined && variant.subject === undefined && variant.template === undefined) {
      problems.push({ path: `variants.${kind}`, message: `The ${kind} variant is empty: give it a text, a subject (email) or a template (WhatsApp), or leave it out.` });
    }
    if (variant.template && kind !== 'whatsapp') {
      problems.push({ path: `variants.${kind}.template`, message: 'Templates are a WhatsApp feature: put the template under variants.whatsapp.' });
    }
    if (variant.subject !== undefined && kind !== 'email') {
      problems.push({ path: `variants.${kind}.subject`, message: 'Only email has a subject: put it under variants.email.' });
    }
  }
  return problems;
}
