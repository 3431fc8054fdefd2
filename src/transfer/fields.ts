// What a column of an imported contact list can hold, and how a column's header is read to guess it: shops keep
// their lists in English or Spanish spreadsheets ("Teléfono", "Celular", "Correo", "Etiquetas"…). A mapping given by
// the person importing always wins over the guess; unknown headers are left out and listed, never guessed wildly.

export const IMPORT_FIELDS = [
  'name',
  'givenName',
  'familyName',
  'phone',
  'email',
  'whatsapp',
  'telegram',
  'viber',
  'messenger',
  'instagram',
  'tags',
  'street',
  'district',
  'city',
  'region',
  'postalCode',
  'country',
  'language',
  'timezone',
  'consent',
  'ignore',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Address parts, in the order they are written. */
export const ADDRESS_FIELDS = ['street', 'district', 'city', 'region', 'postalCode', 'country'] as const satisfies readonly ImportField[];

/** Lower case, accents and punctuation gone, single spaces: "Correo-Electrónico " → "correo electronico". */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

interface Rule {
  field: ImportField;
  /** Whole headers (normalised) that mean this field. */
  phrases?: string[];
  /** Words that mean this field wherever they appear in the header ("Teléfono móvil", "WhatsApp del cliente"). */
  words?: string[];
}

// Order matters: channel names before phone words ("Número de WhatsApp" is a WhatsApp number), given and family
// names before the plain name.
const RULES: Rule[] = [
  { field: 'whatsapp', words: ['whatsapp', 'wsp', 'wpp', 'whats'], phrases: ['wa', 'wa number'] },
  { field: 'telegram', words: ['telegram'], phrases: ['tg'] },
  { field: 'viber', words: ['viber'] },
  { field: 'messenger', words: ['messenger', 'facebook'], phrases: ['fb', 'psid'] },
  { field: 'instagram', words: ['instagram'], phrases: ['ig', 'insta'] },
  { field: 'email', words: ['email', 'mail', 'correo', 'emails', 'correos'], phrases: ['e mail', 'e mail address', 'correo electronico'] },
  {
    field: 'phone',
    words: ['phone', 'telephone', 'tel', 'mobile', 'cell', 'cellphone', 'telefono', 'telefonos', 'celular', 'movil', 'fono', 'phones', 'sms'],
    phrases: ['numero', 'number', 'phone number', 'numero de telefono', 'numero de celular', 'n celular', 'nro celular'],
  },
  { field: 'givenName', phrases: ['first name', 'firstname', 'given name', 'first', 'nombres', 'nombre de pila', 'primer nombre', 'forename'] },
  { field: 'familyName', phrases: ['last name', 'lastname', 'surname', 'family name', 'last'], words: ['apellido', 'apellidos'] },
  {
    field: 'name',
    phrases: ['name', 'full name', 'fullname', 'display name', 'contact', 'contact name', 'customer', 'customer name', 'client', 'client name'],
    words: ['nombre', 'cliente', 'contacto'],
  },
  { field: 'tags', words: ['tag', 'tags', 'label', 'labels', 'etiqueta', 'etiquetas', 'group', 'groups', 'grupo', 'grupos', 'segment', 'segmento', 'categoria', 'categorias', 'category'] },
  { field: 'postalCode', words: ['zip', 'postcode', 'postal'], phrases: ['cp', 'codigo postal', 'zip code'] },
  { field: 'district', words: ['district', 'distrito', 'barrio', 'colonia', 'neighborhood', 'neighbourhood', 'urbanizacion'] },
  { field: 'city', words: ['city', 'ciudad', 'town', 'localidad', 'municipio'] },
  { field: 'region', words: ['state', 'province', 'provincia', 'region', 'departamento', 'county'] },
  { field: 'country', words: ['country', 'pais'] },
  { field: 'street', words: ['address', 'direccion', 'street', 'calle', 'domicilio', 'avenida'], phrases: ['address 1', 'address line 1'] },
  { field: 'language', words: ['language', 'idioma', 'lengua', 'lang'] },
  { field: 'timezone', words: ['timezone', 'tz'], phrases: ['time zone', 'zona horaria', 'huso horario'] },
  {
    field: 'consent',
    words: ['consent', 'consentimiento', 'optin', 'opt', 'subscribed', 'suscrito', 'acepta', 'permiso'],
    phrases: ['opt in', 'marketing consent', 'acepta mensajes', 'acepta publicidad'],
  },
];

/** The field a header most likely means, or null when it is not one Lifeline keeps ("Notas", "Order number"). */
export function guessField(header: string): ImportField | null {
  // "Phone 2", "Teléfono (2)", "Email #1": the number tells columns apart, not what they hold.
  const normalized = normalizeHeader(header).replace(/(\s\d+)+$/, '').replace(/^\d+\s/, '');
  if (!normalized) return null;
  const words = normalized.split(' ');
  for (const rule of RULES) {
    if (rule.phrases?.includes(normalized)) return rule.field;
  }
  for (const rule of RULES) {
    if (rule.words?.some((word) => words.includes(word))) return rule.field;
  }
  return null;
}

export function isImportField(value: string): value is ImportField {
  return (IMPORT_FIELDS as readonly string[]).includes(value);
}
