import { describe, expect, it } from 'vitest';
import { importNotes, importProblemText } from './problems';

type Sample = { facts: Record<string, unknown>; es: string | RegExp };

// One sample per code the server writes, with its Spanish words.
const SAMPLES: Record<string, Sample> = {
  consent_unclear: { facts: { value: 'tal vez' }, es: 'el consentimiento «tal vez» no es ni sí ni no (escribe sí/no, yes/no, true/false o 1/0, o déjalo vacío)' },
  too_many_handles: { facts: { count: 51, limit: 50 }, es: 'tiene 51 teléfonos, correos y otros datos de contacto; un contacto guarda como máximo 50' },
  name_too_long: { facts: { length: 230, limit: 200 }, es: 'el nombre tiene 230 caracteres; se guardan como máximo 200' },
  tag_too_long: { facts: { tag: 'cliente-de-siempre', limit: 10 }, es: 'la etiqueta «cliente-de-siempre» tiene más de 10 caracteres' },
  too_many_tags: { facts: { count: 60, limit: 50 }, es: 'tiene 60 etiquetas; un contacto guarda como máximo 50' },
  bad_time_zone: { facts: { value: 'Lima' }, es: 'la zona horaria «Lima» no es una zona horaria IANA, como America/Lima' },
  bad_language: { facts: { value: 'castellano' }, es: 'el idioma «castellano» no es un código de idioma, como es o en' },
  no_way_to_reach: { facts: {}, es: 'no tiene teléfono, correo ni otra forma de contactar a la persona; un contacto necesita al menos una' },
  phone_mangled: {
    facts: { field: 'whatsapp', value: '5.19877E+10' },
    es: 'el número de WhatsApp «5.19877E+10» se convirtió en número en la hoja de cálculo y perdió dígitos; da formato de texto a la columna y vuelve a exportar el archivo',
  },
  phone_invalid: {
    facts: { field: 'phone', value: '12ab', region: 'PE' },
    es: 'el teléfono «12ab» no es un número válido de Perú (si es de otro país, escríbelo con su código de país, p. ej. +51 987 654 321)',
  },
  email_invalid: { facts: { value: 'ana@' }, es: 'el correo «ana@» no es una dirección de correo (escríbelo como nombre@ejemplo.com)' },
  telegram_username: { facts: { value: 'ana_shop' }, es: /^el id de Telegram «ana_shop» no es un número: .*elige «No importar» para esa columna/ },
  handle_invalid: { facts: { field: 'viber', value: 'a b' }, es: 'el id de Viber «a b» no es válido: debe tener de 1 a 200 caracteres, sin espacios' },
  extra_values: {
    facts: { values: 8, columns: 6, separator: ';' },
    es: 'tiene 8 valores, pero el encabezado tiene 6 columnas; un valor que contiene el separador («;») debe ir entre comillas dobles',
  },
  card_unreadable: { facts: { error: 'invalid line' }, es: 'no se pudo leer (invalid line); vuelve a exportarla desde la agenda' },
  no_vcard: { facts: {}, es: 'El archivo no contiene ninguna vCard: cada contacto debe empezar con BEGIN:VCARD y terminar con END:VCARD.' },
  matches_several_contacts: {
    facts: {
      label: 'row',
      rows: [2, 3, 5],
      contacts: [
        { id: 'c1', name: 'Ana', handles: [{ kind: 'phone', value: '+51987654321' }] },
        { id: 'c2', name: null, handles: [{ kind: 'email', value: 'ana@x.pe' }, { kind: 'whatsapp', value: '+51912345678' }] },
      ],
    },
    es:
      'esta persona coincide con 2 clientes que ya existen (las filas 2, 3 y 5 son la misma persona): el teléfono +51987654321 es del cliente Ana (c1); ' +
      'el correo ana@x.pe y el WhatsApp +51912345678 son del cliente c2. Primero une esos clientes, o corrige la fila.',
  },
  same_person_nothing_new: { facts: { label: 'card', sameAsRow: 2 }, es: 'es la misma persona que la tarjeta 2 y no trae nada nuevo' },
  same_person_merged: { facts: { label: 'row', sameAsRow: 2 }, es: 'es la misma persona que la fila 2; se une en un solo contacto' },
  already_has_all: { facts: { contactId: 'c1', contactName: 'Ana Pérez' }, es: 'el cliente Ana Pérez ya tiene todo esto' },
  updates_contact: {
    facts: { contactId: 'c1', contactName: 'Rosa Pérez', shared: [{ kind: 'phone', value: '+51987111222' }] },
    es: 'se añade a Rosa Pérez, que ya tiene el teléfono +51987111222',
  },
  several_problems: {
    facts: {
      problems: [
        { code: 'phone_invalid', facts: { field: 'phone', value: '12ab', region: null } },
        { code: 'email_invalid', facts: { value: 'ana@' } },
      ],
    },
    es:
      'el teléfono «12ab» no es un número válido (escríbelo con su código de país, p. ej. +51 987 654 321, o elige el país de los teléfonos en Ajustes › Negocio); ' +
      'el correo «ana@» no es una dirección de correo (escríbelo como nombre@ejemplo.com)',
  },
};

describe('importProblemText', () => {
  it('shows the server’s sentence in English, without the row it names', () => {
    const problem = { message: "row 5: phone '12ab' is not a phone number for PE (…)", code: 'phone_invalid', facts: { field: 'phone', value: '12ab', region: 'PE' } };
    expect(importProblemText(problem, 'en')).toBe("phone '12ab' is not a phone number for PE (…)");
    expect(importProblemText({ message: 'same person as row 2, nothing new', code: 'same_person_nothing_new', facts: { label: 'row', sameAsRow: 2 } }, 'en')).toBe(
      'same person as row 2, nothing new',
    );
  });

  it('keeps the server’s sentence for a code it does not know, and for results saved without codes', () => {
    expect(importProblemText({ message: 'row 4: something new', code: 'something_new', facts: {} }, 'es')).toBe('something new');
    expect(importProblemText({ message: 'card 3: an older result' }, 'es')).toBe('an older result');
    expect(importProblemText({ message: 'row 2: a; b', code: null, facts: null }, 'es')).toBe('a; b');
    // A row with several problems, one of them unknown: all in English rather than half and half.
    const mixed = { message: 'row 2: x; y', code: 'several_problems', facts: { problems: [{ code: 'email_invalid', facts: { value: 'x' } }, { code: 'unknown', facts: {} }] } };
    expect(importProblemText(mixed, 'es')).toBe('x; y');
  });

  it('words each code in Spanish from its facts', () => {
    for (const [code, { facts, es }] of Object.entries(SAMPLES)) {
      const words = importProblemText({ message: `row 9: SERVER`, code, facts }, 'es');
      if (typeof es === 'string') expect(words, code).toBe(es);
      else expect(words, code).toMatch(es);
    }
  });

  it('has Spanish words for every code the server writes, even when facts are missing', async () => {
    // The server's list, read at run time: the inbox is built apart from the server and does not import it.
    const { IMPORT_PROBLEM_CODES } = (await import('../../../../src/transfer/problems.js' as string)) as { IMPORT_PROBLEM_CODES: string[] };
    expect(IMPORT_PROBLEM_CODES.length).toBeGreaterThan(15);
    expect(Object.keys(SAMPLES).sort()).toEqual([...IMPORT_PROBLEM_CODES].sort());
    for (const code of IMPORT_PROBLEM_CODES) {
      expect(importProblemText({ message: 'row 2: SERVER', code, facts: SAMPLES[code]!.facts }, 'es'), code).not.toMatch(/SERVER|undefined|\[object/);
      expect(() => importProblemText({ message: 'row 2: SERVER', code, facts: {} }, 'es'), code).not.toThrow();
    }
  });
});

describe('importNotes', () => {
  const english = ['The file is not valid UTF-8, so it was read as Windows-1252 …', 'Columns not imported: "Mail2". …'];

  it('keeps the server’s notes in English', () => {
    expect(importNotes({ notes: english, encoding: 'windows-1252', mapping: { Mail2: 'ignore' } }, 'en')).toEqual(english);
  });

  it('words the encoding and the columns left out in Spanish, from the result’s own facts', () => {
    const notes = importNotes({ notes: english, encoding: 'windows-1252', mapping: { Nombre: 'name', Mail2: 'ignore' } }, 'es');
    expect(notes).toEqual([expect.stringMatching(/^El archivo no está en UTF-8, así que se leyó como Windows-1252/), 'No se importa la columna «Mail2». Si debe importarse, elige un campo para ella aquí abajo.']);
    expect(importNotes({ notes: ['x'], encoding: 'utf-8', mapping: { A: 'ignore', B: 'ignore' } }, 'es')).toEqual([
      'No se importan las columnas «A» y «B». Si deben importarse, elige un campo para ellas aquí abajo.',
    ]);
  });

  it('shows the server’s notes when it says something these facts do not explain', () => {
    const more = [...english, 'A note this app does not know.'];
    expect(importNotes({ notes: more, encoding: 'windows-1252', mapping: { Mail2: 'ignore' } }, 'es')).toEqual(more);
  });
});
