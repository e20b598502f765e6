/** CreateAlias, UpdateAlias, DeleteAlias and ListAliases. Aliases belong to one account and one region. */
import { KmsError, notFoundError, validationError } from "../errors";
import { formatAliasArn, isAliasName, parseKeyReference } from "../identifiers";
import type { AliasRecord, KeyRecord } from "../store";
import {
  authorizeOrThrow,
  keyArnOf,
  requireNotPendingDeletion,
  resolveKeyOrThrow,
  type CallContext,
} from "./context";
import { paginate, readOptionalString, readPage, readString, type RequestInput } from "./input";
import { toEpochSeconds } from "./metadata";

function readAliasName(input: RequestInput): string {
  const aliasName = readString(input, "AliasName", 256);
  if (!isAliasName(aliasName)) {
    throw validationError(
      `AliasName '${aliasName}' is invalid: it must start with 'alias/' followed by letters, digits, '/', '_' or '-'.`,
    );
  }
  if (aliasName.startsWith("alias/aws/")) {
    throw validationError(`AliasName '${aliasName}' is invalid: the prefix 'alias/aws/' is reserved for AWS managed keys.`);
  }
  return aliasName;
}

/** Resolves TargetKeyId, which must be a key id or key ARN of the caller's account (not an alias). */
function readTargetKeyOrThrow(ctx: CallContext, input: RequestInput): KeyRecord {
  const targetKeyIdValue = readString(input, "TargetKeyId");
  if (parseKeyReference(targetKeyIdValue).kind === "alias") {
    throw validationError(`TargetKeyId '${targetKeyIdValue}' is an alias; use the key id or key ARN of the target key.`);
  }

  const key = resolveKeyOrThrow(ctx, targetKeyIdValue);
  if (key.account !== ctx.caller.account) {
    throw validationError(`TargetKeyId ${keyArnOf(key)} belongs to another account; an alias must be in the key's account.`);
  }
  return key;
}

function aliasOrThrow(ctx: CallContext, aliasName: string): AliasRecord {
  const alias = ctx.store.getAlias(ctx.caller.account, ctx.region, aliasName);
  if (!alias) {
    throw notFoundError(`Alias ${formatAliasArn(ctx.region, ctx.caller.account, aliasName)} is not found.`);
  }
  return alias;
}

export function createAlias(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const aliasName = readAliasName(input);
  const target = readTargetKeyOrThrow(ctx, input);
  authorizeOrThrow(ctx, target, "CreateAlias");
  requireNotPendingDeletion(target);

  if (ctx.store.getAlias(ctx.caller.account, ctx.region, aliasName)) {
    throw new KmsError(
      "AlreadyExistsException",
      `An alias with the name ${formatAliasArn(ctx.region, ctx.caller.account, aliasName)} already exists`,
    );
  }

  const now = Date.now();
  ctx.store.putAlias({
    account: ctx.caller.account,
    region: ctx.region,
    aliasName,
    targetKeyId: target.keyId,
    createdAt: now,
    updatedAt: now,
  });
  return {};
}

/** Points an alias at another key. AWS requires both keys to have the same key spec and key usage, and so does this server. */
export function updateAlias(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const aliasName = readAliasName(input);
  const alias = aliasOrThrow(ctx, aliasName);
  const newTarget = readTargetKeyOrThrow(ctx, input);

  const oldTarget = ctx.store.getKey(alias.account, alias.region, alias.targetKeyId);
  if (oldTarget) {
    authorizeOrThrow(ctx, oldTarget, "UpdateAlias");
  }
  authorizeOrThrow(ctx, newTarget, "UpdateAlias");
  requireNotPendingDeletion(newTarget);
  if (oldTarget && (oldTarget.keySpec !== newTarget.keySpec || oldTarget.keyUsage !== newTarget.keyUsage)) {
    throw validationError(
      `${keyArnOf(newTarget)} has key spec ${newTarget.keySpec} and usage ${newTarget.keyUsage}, but the alias points to a ${oldTarget.keySpec} ${oldTarget.keyUsage} key; both must match.`,
    );
  }

  alias.targetKeyId = newTarget.keyId;
  alias.updatedAt = Date.now();
  ctx.store.putAlias(alias);
  return {};
}

export function deleteAlias(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const aliasName = readAliasName(input);
  const alias = aliasOrThrow(ctx, aliasName);

  const target = ctx.store.getKey(alias.account, alias.region, alias.targetKeyId);
  if (target) {
    authorizeOrThrow(ctx, target, "DeleteAlias");
  }
  ctx.store.deleteAlias(alias.account, alias.region, alias.aliasName);
  return {};
}

/** Lists the caller's aliases in the request's region, optionally only those of one key. No key policy applies. */
export function listAliases(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const keyIdValue = readOptionalString(input, "KeyId");
  const page = readPage(input, 50);

  let aliases = ctx.store.listAliases(ctx.caller.account, ctx.region);
  if (keyIdValue !== undefined) {
    const key = resolveKeyOrThrow(ctx, keyIdValue);
    aliases = aliases.filter((alias) => alias.targetKeyId === key.keyId && alias.account === key.account);
  }

  const { items, ...pagination } = paginate(aliases, page);
  return {
    Aliases: items.map((alias) => ({
      AliasName: alias.aliasName,
      AliasArn: formatAliasArn(alias.region, alias.account, alias.aliasName),
      TargetKeyId: alias.targetKeyId,
      CreationDate: toEpochSeconds(alias.createdAt),
      LastUpdatedDate: toEpochSeconds(alias.updatedAt),
    })),
    ...pagination,
  };
}
