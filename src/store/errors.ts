/** Errors of the store layer; `code` is stable and documented in docs/store.md. */
export class StoreError extends Error {
  constructor(readonly code: 'E_STORE_OPEN' | 'E_STORE_LOCKED' | 'E_STORE_MIGRATE' | 'E_STORE_CLOSED' | 'E_STORE_CONFIG', message: string) {
    super(message);
    this.name = 'StoreError';
  }
}
