import { DomainError } from '@vcd/errors/domain';

/**
 * The user service's failures, with their stable codes. No HTTP here: the error middleware maps each kind to a
 * status (invalid 422, not_found 404, conflict 409), and RealWorld clients read the field or subject.
 */
export const UserErrors = {
  profileNotFound: (message = 'No profile for this account') => DomainError.notFound('USER.PROFILE_NOT_FOUND', message, 'profile'),
  cannotFollowSelf: () => DomainError.invalid({ username: ['cannot follow yourself'] }),
  usernameTaken: (username: string) => DomainError.conflict('USER.USERNAME_TAKEN', `Another profile holds ${username}`),
  notificationNotFound: () => DomainError.notFound('USER.NOTIFICATION_NOT_FOUND', 'No such notification', 'notification'),
};
