/**
 * Identities at the OpenID provider linked to users (single sign-on). Each link holds a key of its
 * own whose secret is never kept nor shown: the sessions the identity opens act with that key.
 */
import crypto from 'node:crypto';
import { createApiKey, revokeKey } from './keys';
import type { Db, PrismaClient } from './db';

export interface Identity {
  issuer: string;
  subject?: string;
  /** Lower case. */
  email?: string;
}

export const SSO_KEY_LABEL = 'Single sign-on';

/**
 * Links `identity` to the user, replacing the user's link (and revoking its key) if it had one.
 * 'TAKEN' when another user holds that identity.
 */
export async function linkIdentity(
  prisma: PrismaClient,
  userId: string,
  identity: Identity,
  now: Date,
): Promise<{ outcome: 'LINKED'; link: IdentityLinkRow } | { outcome: 'TAKEN' }> {
  const done = await prisma.$transaction(async (tx) => {
    const holder = await tx.identityLink.findFirst({
      where: {
        issuer: identity.issuer,
        OR: [...(identity.subject ? [{ subject: identity.subject }] : []), ...(identity.email ? [{ email: identity.email }] : [])],
        NOT: { userId },
      },
      select: { userId: true },
    });
    if (holder) return { outcome: 'TAKEN' as const };
    const previous = await tx.identityLink.findUnique({ where: { userId } });
    // Nobody holds the secret: only this link's sessions can act with the key.
    const key = await createApiKey(tx, { key: crypto.randomBytes(32).toString('base64url'), userId, label: SSO_KEY_LABEL, createdAt: now });
    const data = {
      issuer: identity.issuer,
      subject: identity.subject ?? null,
      email: identity.email ?? null,
      keyId: key.id,
      createdAt: now,
    };
    const link = await tx.identityLink.upsert({ where: { userId }, create: { userId, ...data }, update: data });
    return { outcome: 'LINKED' as const, link, previousKeyId: previous?.keyId };
  });
  // The identity linked before no longer signs in: its sessions end with its key (never the last
  // ADMIN key: the new link's key is one more).
  if (done.outcome === 'LINKED' && done.previousKeyId) await revokeKey(prisma, done.previousKeyId);
  return done.outcome === 'LINKED' ? { outcome: 'LINKED', link: done.link } : done;
}

export type IdentityLinkRow = NonNullable<Awaited<ReturnType<typeof findIdentityLink>>>;

export function findIdentityLink(db: Db, userId: string) {
  return db.identityLink.findUnique({ where: { userId } });
}

/** Unlinks the user's identity and revokes its key, unless that key is the last usable ADMIN key. */
export async function unlinkIdentity(prisma: PrismaClient, userId: string): Promise<'UNLINKED' | 'NOT_FOUND' | 'LAST_ADMIN'> {
  const link = await findIdentityLink(prisma, userId);
  if (!link) return 'NOT_FOUND';
  // NOT_FOUND: the key was revoked already (on its own, or by an unlinking cut short); the link goes all the same.
  if ((await revokeKey(prisma, link.keyId)) === 'LAST_ADMIN') return 'LAST_ADMIN';
  await prisma.identityLink.deleteMany({ where: { userId, keyId: link.keyId } });
  return 'UNLINKED';
}

/**
 * The link a signed-in identity matches: its subject, else its e-mail address when the provider
 * verified it. A subject link wins over an e-mail link of another user.
 */
export async function findLinkFor(db: Db, issuer: string, subject: string, verifiedEmail: string | undefined) {
  const bySubject = await db.identityLink.findUnique({ where: { issuer_subject: { issuer, subject } } });
  if (bySubject || !verifiedEmail) return bySubject;
  return db.identityLink.findUnique({ where: { issuer_email: { issuer, email: verifiedEmail } } });
}
