import { DomainError } from '@vcd/errors/domain';

/**
 * The failures of the gateway's own composition, with their stable codes. No HTTP here: the error middleware
 * maps each kind to a status (invalid 422). Forwarding and authentication answer with HTTP errors of their own:
 * they are the HTTP edge.
 */
export const GatewayErrors = {
  /** PUT /api/user with an empty `user` object. */
  emptyUserUpdate: () => DomainError.invalid({ user: ['must contain at least one field'] }),
};
