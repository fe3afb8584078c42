import { defineEntity, p } from '@mikro-orm/core';

const ROLES = ['user', 'editor', 'admin'] as const;

export const Account = defineEntity({
  name: 'Account',
  tableName: 'account',
  properties: {
    id: p.uuid().primary(),
    /** The address the account owns (login, mail). Null when the address typed at sign-up belonged to another account. */
    email: p.string().nullable(),
    /** The address typed at sign-up when it was already taken; shown back to this account only, never mailed. */
    claimedEmail: p.string().nullable(),
    username: p.string().unique(),
    passwordHash: p.text(),
    role: p.enum([...ROLES]).default('user'),
    emailVerifiedAt: p.datetime().nullable(),
    /** The identity's version (username, shown address): 1 at registration, one up per change; events carry it. */
    version: p.integer().default(1),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});

/** One login on one device, and the family of refresh tokens rotated within it. */
export const Session = defineEntity({
  name: 'Session',
  tableName: 'session',
  properties: {
    id: p.uuid().primary(),
    accountId: p.uuid().index(),
    userAgent: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    revokedAt: p.datetime().nullable(),
    revokedReason: p.string().nullable(),
  },
});

/** A refresh token of a session (stored as its SHA-256). `rotatedAt` set = already used: a second use is reuse. */
export const RefreshToken = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_token',
  properties: {
    tokenHash: p.string().primary(),
    sessionId: p.uuid().index(),
    issuedAt: p.datetime().onCreate(() => new Date()),
    rotatedAt: p.datetime().nullable(),
  },
});

const TOKEN_PURPOSES = ['verify_email', 'reset_password'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/** A single-use, expiring e-mail token (verification, password reset), stored as its SHA-256. */
export const OneTimeToken = defineEntity({
  name: 'OneTimeToken',
  tableName: 'one_time_token',
  properties: {
    id: p.uuid().primary(),
    tokenHash: p.string().unique(),
    accountId: p.uuid(),
    purpose: p.enum([...TOKEN_PURPOSES]),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});

/** A mail written in the same transaction as the change that causes it; the mail relay sends it after commit. */
export const OutgoingMail = defineEntity({
  name: 'OutgoingMail',
  tableName: 'mail_outbox',
  properties: {
    id: p.uuid().primary(),
    toAddress: p.string(),
    subject: p.string(),
    /** Cleared once sent: it may hold a token link. */
    body: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    nextAttemptAt: p.datetime().onCreate(() => new Date()),
    sentAt: p.datetime().nullable(),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    /** A relay's claim (mail-relay.ts): until when, and by whom; an expired claim may be taken over. */
    leaseUntil: p.datetime().nullable(),
    leaseOwner: p.string().length(128).nullable(),
  },
});
