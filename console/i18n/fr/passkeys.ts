/** Les clés d’accès et la règle de connexion, en français. */
import type { PasskeyWords } from '../index';

export const passkeys: PasskeyWords = {
  'nav.passkeys': 'Clés d’accès',
  'nav.signInPolicy': 'Règle de connexion',
  'passkey.signIn.title': 'Confirmez avec votre clé d’accès',
  'passkey.signIn.intro': 'Votre clé d’API a été acceptée. Vous utilisez aussi une clé d’accès : confirmez avec elle pour continuer.',
  'passkey.signIn.submit': 'Utiliser ma clé d’accès',
  'passkey.otherKey': 'Se connecter avec une autre clé',
  'passkey.needsScript': 'Les clés d’accès demandent JavaScript dans ce navigateur.',
  'passkey.browserFailed':
    'Le navigateur n’a fourni aucune clé d’accès : l’opération a été annulée ou a expiré, ou aucune des vôtres n’est sur cet appareil.',
  'passkey.list.intro':
    'Une clé d’accès (une clé de sécurité, ou le verrouillage de cet appareil) est demandée après votre clé d’API à chaque connexion.',
  'passkey.list.none': 'Vous n’avez pas encore de clé d’accès.',
  'passkey.required': 'Votre administrateur exige une clé d’accès. Ajoutez-en une pour continuer : rien d’autre n’est ouvert avant.',
  'passkey.add.title': 'Ajouter une clé d’accès',
  'passkey.add.name': 'Nom',
  'passkey.add.nameHint': 'Pour distinguer vos clés d’accès, par exemple « Portable du bureau ».',
  'passkey.add.submit': 'Ajouter une clé d’accès',
  'passkey.added': 'La clé d’accès a été ajoutée. Elle sera demandée à votre prochaine connexion.',
  'passkey.removed': 'La clé d’accès a été retirée.',
  'passkey.remove': 'Retirer',
  'policy.passkeysRequired': 'Exiger une clé d’accès de tous',
  'policy.hint':
    'Quiconque se connecte avec une clé d’API sans avoir de clé d’accès doit en ajouter une avant toute autre chose. Un utilisateur qui a une clé d’accès doit toujours l’utiliser.',
  'policy.saved': 'La règle de connexion a été enregistrée.',
};
