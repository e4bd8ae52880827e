/**
 * Tenancy in the domain: the resource attribute a record names its tenant with, and the tenant
 * of records (and requests without a token) that name none. A token's tenant wins over the
 * attribute; a record naming another tenant than its token's is refused.
 */
export const TENANT_ATTRIBUTE = 'warden.tenant';
export const DEFAULT_TENANT = 'default';
