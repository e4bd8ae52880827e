/**
 * Defaults of the settings the hook client reads (`warden hook`, run around every tool call),
 * in a module without imports so the hook loads nothing more for them. The settings schema
 * (`settings.ts`) declares these variables with these values; they are declared nowhere else.
 */
export const HOOK_DEFAULTS = {
  WARDEN_HTTP_PORT: 4318,
  WARDEN_HOOK_FAIL: 'closed',
  WARDEN_HOOK_TIMEOUT_MS: 1_500,
} as const;
