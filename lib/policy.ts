import { and, eq, isNull, type SQL } from 'drizzle-orm';
import type { UserRole } from './db/schema';
import { chats } from './db/schema';
import { AppError, notFound } from './errors';

/** Who is asking: resolved from a session or an API token, never from the request body. */
export interface Caller {
  userId: string;
  tenantId: string;
  role: UserRole;
}

export type Action =
  | 'chat.create'
  | 'chat.list'
  | 'chat.read'
  | 'chat.update'
  | 'chat.delete'
  | 'attachment.upload'
  | 'attachment.read'
  | 'attachment.delete'
  | 'upload.create'
  | 'upload.part'
  | 'upload.read'
  | 'upload.complete'
  | 'upload.cancel'
  | 'message.list'
  | 'message.send'
  | 'turn.read'
  | 'turn.retry'
  | 'turn.cancel'
  | 'model.list'
  | 'token.create'
  | 'token.list'
  | 'token.revoke';

/** The rows of one tenant: what tenant-wide reads may touch. */
export interface TenantScope {
  tenantId: string;
}

/** The rows of one user in one tenant: what owner-only content may touch. */
export interface OwnerScope extends TenantScope {
  userId: string;
}

export type Scope = OwnerScope | TenantScope;

interface ScopeOfKind {
  owner: OwnerScope;
  tenant: TenantScope;
}

/** Who may take an action, and how far the rows it touches reach. */
export interface Rule {
  roles: readonly UserRole[];
  scope: keyof ScopeOfKind;
}

/** The scope an action of a table resolves to, known from the table's row at compile time. */
export type ScopeOf<T extends Readonly<Record<A, Rule>>, A extends PropertyKey> = ScopeOfKind[T[A]['scope']];

// Both roles see only their own chats and tokens: an admin's role widens nothing until a
// tenant-scoped row says so.
const ownerContent = { roles: ['member', 'admin'], scope: 'owner' } as const satisfies Rule;

/**
 * Every action, who may take it and its scope. The model catalog is nobody's content; it is owner
 * scoped so that a tenant-wide scope is only ever handed out by a row that means to.
 */
export const accessRules = {
  'chat.create': ownerContent,
  'chat.list': ownerContent,
  'chat.read': ownerContent,
  'chat.update': ownerContent,
  'chat.delete': ownerContent,
  'attachment.upload': ownerContent,
  'attachment.read': ownerContent,
  'attachment.delete': ownerContent,
  // Chunked uploads (lib/attachments/chunked): only their uploader's, like the attachment they make.
  'upload.create': ownerContent,
  'upload.part': ownerContent,
  'upload.read': ownerContent,
  'upload.complete': ownerContent,
  'upload.cancel': ownerContent,
  'message.list': ownerContent,
  'message.send': ownerContent,
  'turn.read': ownerContent,
  'turn.retry': ownerContent,
  'turn.cancel': ownerContent,
  'model.list': ownerContent,
  'token.create': ownerContent,
  'token.list': ownerContent,
  'token.revoke': ownerContent,
} as const satisfies Record<Action, Rule>;

/**
 * The decision over any rule table. A role the row does not allow answers 404 like a row outside
 * the scope, so a member learns nothing about what an admin could reach.
 */
export function decide<T extends Readonly<Record<A, Rule>>, A extends string>(
  rules: T,
  caller: Caller | null,
  action: A,
): ScopeOf<T, A> {
  if (!caller) throw new AppError('unauthorized', 'Sign in or send a valid API token.');
  const rule: Rule = rules[action];
  if (!rule.roles.includes(caller.role)) throw notFound();
  const scope: Scope =
    rule.scope === 'owner'
      ? { tenantId: caller.tenantId, userId: caller.userId }
      : { tenantId: caller.tenantId };
  return scope as ScopeOf<T, A>;
}

/**
 * The single authorization decision point. Owner-only content resolves to the caller's own tenant
 * and user: another user's chat simply does not match the query, which is how it answers 404
 * without revealing that it exists.
 */
export const authorize = <A extends Action>(
  caller: Caller | null,
  action: A,
): ScopeOf<typeof accessRules, A> => decide(accessRules, caller, action);

/** The WHERE clause that confines a chats query to a scope: its tenant, and its user if it has one. */
export const chatInScope = (scope: Scope): SQL =>
  'userId' in scope
    ? (and(eq(chats.tenantId, scope.tenantId), eq(chats.userId, scope.userId)) as SQL)
    : eq(chats.tenantId, scope.tenantId);

/** A chat the scope may see: in the scope, and not deleted. */
export const liveChatInScope = (scope: Scope, chatId: string): SQL =>
  and(eq(chats.id, chatId), chatInScope(scope), isNull(chats.deletedAt)) as SQL;
