/** Las llaves de acceso y la norma de inicio de sesión, en español. */
import type { PasskeyWords } from '../index';

export const passkeys: PasskeyWords = {
  'nav.passkeys': 'Llaves de acceso',
  'nav.signInPolicy': 'Norma de inicio de sesión',
  'passkey.signIn.title': 'Confirme con su llave de acceso',
  'passkey.signIn.intro': 'Se aceptó su clave de API. También usa una llave de acceso: confirme con ella para continuar.',
  'passkey.signIn.submit': 'Usar mi llave de acceso',
  'passkey.otherKey': 'Iniciar sesión con otra clave',
  'passkey.needsScript': 'Las llaves de acceso necesitan JavaScript en este navegador.',
  'passkey.browserFailed':
    'El navegador no dio ninguna llave de acceso: se canceló o caducó, o ninguna de las suyas está en este dispositivo.',
  'passkey.list.intro':
    'Se pide una llave de acceso (una llave de seguridad o el bloqueo de este dispositivo) después de su clave en cada inicio de sesión.',
  'passkey.list.none': 'Todavía no tiene ninguna llave de acceso.',
  'passkey.required': 'Su administrador exige una llave de acceso. Añada una para continuar: nada más se abre hasta entonces.',
  'passkey.add.title': 'Añadir una llave de acceso',
  'passkey.add.name': 'Nombre',
  'passkey.add.nameHint': 'Para distinguir sus llaves de acceso, p. ej. «Portátil de la oficina».',
  'passkey.add.submit': 'Añadir una llave de acceso',
  'passkey.added': 'Se añadió la llave de acceso. Se pedirá en su próximo inicio de sesión.',
  'passkey.removed': 'Se quitó la llave de acceso.',
  'passkey.remove': 'Quitar',
  'policy.passkeysRequired': 'Exigir una llave de acceso a todos',
  'policy.hint':
    'Quien inicie sesión con una clave y no tenga llave de acceso debe añadir una antes de hacer nada más. A quien tiene una llave de acceso siempre se le pide.',
  'policy.saved': 'Se guardó la norma de inicio de sesión.',
};
