// Lifeline's coded errors: each says what happened and what to do, and carries the HTTP status it maps to.

export class LifelineError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'LifelineError';
  }
}

export const notFound = (what: string, id: string) =>
  new LifelineError('not_found', 404, `No ${what} with id ${id} exists in this workspace.`);

export const badRequest = (code: string, message: string, details?: unknown) =>
  new LifelineError(code, 400, message, details);

export const conflict = (code: string, message: string, details?: unknown) =>
  new LifelineError(code, 409, message, details);

export const forbidden = (message: string) => new LifelineError('forbidden', 403, message);

export const unauthorized = (message: string) => new LifelineError('unauthorized', 401, message);
