import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { randomBytes } from "node:crypto";

export type KeyState = "Enabled" | "Disabled" | "PendingDeletion";

/** One KMS key in one region. A multi-region primary and each replica are separate records with the same key id. */
export interface KeyRecord {
  account: string;
  region: string;
  keyId: string;
  keySpec: string;
  keyUsage: string;
  description: string;
  state: KeyState;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds; set only while the state is PendingDeletion. */
  deletionDate?: number;
  pendingWindowInDays?: number;
  /** Key policy document as the client sent it (or the default policy). */
  policy: string;
  multiRegion: boolean;
  /** Region of the primary key; set only for multi-region keys. */
  primaryRegion?: string;
}

export interface KeyMaterialVersion {
  /** 32 random bytes, base64. */
  material: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

/**
 * Key material and rotation settings of one key identity (account and key id). A multi-region
 * primary and its replicas share one record, so rotating the primary rotates the replicas too.
 * Keys that are not SYMMETRIC_DEFAULT have no versions because this server never uses their material.
 */
export interface KeyMaterialRecord {
  account: string;
  keyId: string;
  /** Index in this list is the version number written into ciphertext blobs. The last entry is current. */
  versions: KeyMaterialVersion[];
  rotationEnabled: boolean;
  rotationPeriodInDays?: number;
  onDemandRotationCount: number;
}

export interface AliasRecord {
  account: string;
  region: string;
  aliasName: string;
  targetKeyId: string;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
}

interface StateFile {
  formatVersion: 1;
  principals: Record<string, string>;
  keys: KeyRecord[];
  materials: KeyMaterialRecord[];
  aliases: AliasRecord[];
}

function regionalId(account: string, region: string, id: string): string {
  return `${account}/${region}/${id}`;
}

function identityId(account: string, keyId: string): string {
  return `${account}/${keyId}`;
}

/**
 * In-memory state of the server, written to `statePath` (when given) after every change.
 * The file contains key material in the clear, so it is created with mode 0600; it is meant
 * for development and tests only.
 */
export class KmsStore {
  readonly principals = new Map<string, string>();
  private readonly keys = new Map<string, KeyRecord>();
  private readonly materials = new Map<string, KeyMaterialRecord>();
  private readonly aliases = new Map<string, AliasRecord>();
  private dirty = false;

  constructor(private readonly statePath: string | undefined) {}

  /** Reads `statePath` if the file exists. Throws with the path when the file is not a valid state file. */
  load(): void {
    if (!this.statePath) {
      return;
    }

    let text: string;
    try {
      text = readFileSync(this.statePath, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        return;
      }
      throw error;
    }

    let state: StateFile;
    try {
      state = JSON.parse(text) as StateFile;
    } catch (error) {
      throw new Error(`Local KMS state file ${this.statePath} is not valid JSON: ${(error as Error).message}`);
    }
    if (state.formatVersion !== 1) {
      throw new Error(
        `Local KMS state file ${this.statePath} has format version ${String(state.formatVersion)}; expected 1. Delete the file to start empty.`,
      );
    }

    for (const [accessKeyId, principalArn] of Object.entries(state.principals)) {
      this.principals.set(accessKeyId, principalArn);
    }
    for (const key of state.keys) {
      this.keys.set(regionalId(key.account, key.region, key.keyId), key);
    }
    for (const material of state.materials) {
      this.materials.set(identityId(material.account, material.keyId), material);
    }
    for (const alias of state.aliases) {
      this.aliases.set(regionalId(alias.account, alias.region, alias.aliasName), alias);
    }
  }

  /** Marks the state as changed; `flush` then writes it. Call after mutating any record in place. */
  markChanged(): void {
    this.dirty = true;
  }

  /** Writes the state file if anything changed since the last write: a temporary file, then a rename over the old one. */
  flush(): void {
    if (!this.statePath || !this.dirty) {
      return;
    }

    const state: StateFile = {
      formatVersion: 1,
      principals: Object.fromEntries(this.principals),
      keys: [...this.keys.values()],
      materials: [...this.materials.values()],
      aliases: [...this.aliases.values()],
    };
    mkdirSync(dirname(this.statePath), { recursive: true });
    const temporaryPath = `${this.statePath}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(temporaryPath, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporaryPath, this.statePath);
    this.dirty = false;
  }

  setPrincipal(accessKeyId: string, principalArn: string): void {
    this.principals.set(accessKeyId, principalArn);
    this.markChanged();
  }

  getKey(account: string, region: string, keyId: string): KeyRecord | undefined {
    return this.keys.get(regionalId(account, region, keyId));
  }

  putKey(key: KeyRecord): void {
    this.keys.set(regionalId(key.account, key.region, key.keyId), key);
    this.markChanged();
  }

  /** Lists the keys of one account in one region, in creation order. */
  listKeys(account: string, region: string): KeyRecord[] {
    return [...this.keys.values()].filter((key) => key.account === account && key.region === region);
  }

  /** Lists the regional records (primary and replicas) of one key identity. */
  listKeyRegions(account: string, keyId: string): KeyRecord[] {
    return [...this.keys.values()].filter((key) => key.account === account && key.keyId === keyId);
  }

  getMaterial(account: string, keyId: string): KeyMaterialRecord | undefined {
    return this.materials.get(identityId(account, keyId));
  }

  putMaterial(material: KeyMaterialRecord): void {
    this.materials.set(identityId(material.account, material.keyId), material);
    this.markChanged();
  }

  getAlias(account: string, region: string, aliasName: string): AliasRecord | undefined {
    return this.aliases.get(regionalId(account, region, aliasName));
  }

  putAlias(alias: AliasRecord): void {
    this.aliases.set(regionalId(alias.account, alias.region, alias.aliasName), alias);
    this.markChanged();
  }

  deleteAlias(account: string, region: string, aliasName: string): void {
    this.aliases.delete(regionalId(account, region, aliasName));
    this.markChanged();
  }

  /** Lists the aliases of one account in one region, sorted by name. */
  listAliases(account: string, region: string): AliasRecord[] {
    return [...this.aliases.values()]
      .filter((alias) => alias.account === account && alias.region === region)
      .sort((a, b) => (a.aliasName < b.aliasName ? -1 : 1));
  }
}
