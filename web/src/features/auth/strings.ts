import type { Strings } from '../../i18n';

const en = {
  signInTitle: 'Sign in to Lifeline',
  email: 'Email',
  password: 'Password',
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  wrongPassword: 'Wrong email or password.',
  setupTitle: 'Set up Lifeline',
  setupIntro: 'Create your business and the owner account. You can add staff, channels and API keys afterwards.',
  workspaceName: 'Business name',
  region: 'Country for phone numbers written without a country code (two letters, e.g. PE, US, ES)',
  yourName: 'Your name',
  passwordHint: 'At least 10 characters.',
  create: 'Create and sign in',
  creating: 'Creating…',
};

export const strings: Strings<typeof en> = {
  en,
  es: {
    signInTitle: 'Entrar en Lifeline',
    email: 'Correo',
    password: 'Contraseña',
    signIn: 'Entrar',
    signingIn: 'Entrando…',
    wrongPassword: 'Correo o contraseña incorrectos.',
    setupTitle: 'Configurar Lifeline',
    setupIntro: 'Crea tu negocio y la cuenta del dueño. Después podrás añadir personal, canales y claves de API.',
    workspaceName: 'Nombre del negocio',
    region: 'País de los teléfonos escritos sin código de país (dos letras, p. ej. PE, US, ES)',
    yourName: 'Tu nombre',
    passwordHint: 'Al menos 10 caracteres.',
    create: 'Crear y entrar',
    creating: 'Creando…',
  },
};
