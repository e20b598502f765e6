import { AppError } from "@/lib/errors";
import type { KeyFailure } from "@/lib/kms/failures";

/**
 * A data key could not be made or unwrapped because KMS refused or could not be reached.
 * It names the account and the KMS key, never key material.
 */
export class DataKeyUnavailableError extends AppError {
  readonly accountId: string;
  readonly kmsKeyArn: string;
  readonly failure: KeyFailure;

  constructor(accountId: string, kmsKeyArn: string, failure: KeyFailure) {
    const userMessage = failure.keyRefused
      ? `The encryption key ${kmsKeyArn} of this account refused ${failure.operation} (${failure.code}), so the data cannot be encrypted or decrypted. An owner or admin of the account can check the key on the Encryption page.`
      : `AWS KMS could not be reached to run ${failure.operation} with ${kmsKeyArn} (${failure.code}). Try again shortly.`;
    super(failure.keyRefused ? "KEY_UNAVAILABLE" : "KMS_UNAVAILABLE", userMessage, `${userMessage} Account ${accountId}.`);
    this.name = "DataKeyUnavailableError";
    this.accountId = accountId;
    this.kmsKeyArn = kmsKeyArn;
    this.failure = failure;
  }
}
