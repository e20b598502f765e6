/**
 * An error that the server sends to the client as an AWS JSON 1.1 error body,
 * `{"__type": code, "message": message}`, with the given HTTP status.
 */
export class KmsError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
  }
}

export function validationError(message: string): KmsError {
  return new KmsError("ValidationException", message);
}

export function notFoundError(message: string): KmsError {
  return new KmsError("NotFoundException", message);
}

export function keyNotFoundError(keyArn: string): KmsError {
  return new KmsError("NotFoundException", `Key '${keyArn}' does not exist`);
}

export function invalidCiphertextError(): KmsError {
  // AWS gives no detail here either, so that the error reveals nothing about the blob.
  return new KmsError(
    "InvalidCiphertextException",
    "The ciphertext is invalid, was modified, or does not match the encryption context of the request.",
  );
}

export function malformedPolicyError(message: string): KmsError {
  return new KmsError("MalformedPolicyDocumentException", message);
}

export function unsupportedOperationError(message: string): KmsError {
  return new KmsError("UnsupportedOperationException", message);
}

export function invalidStateError(message: string): KmsError {
  return new KmsError("KMSInvalidStateException", message);
}
