"""The wallet's errors; each carries the HTTP status the API answers with (RFC 9457 problems).

    TaitoError
    └── WalletError                          wallet_error                 400
        ├── AuthenticationFailed             login_failed                 401
        ├── LoginThrottled                   login_throttled              429
        ├── RegistrationThrottled            registration_throttled       429
        ├── AuthenticationBusy               authentication_busy          503
        ├── AccessTokenInvalid               access_token_invalid         401
        ├── RefreshTokenInvalid              refresh_token_invalid        401
        │   └── RefreshTokenReused           refresh_token_reused         401
        ├── UsernameUnavailable              username_unavailable         409
        ├── UsernameRejected                 username_rejected            422
        │   └── UsernameCharactersInvalid    username_characters_invalid  422
        ├── PasswordRejected                 password_rejected            422
        │   ├── PasswordTooShort             password_too_short           422
        │   ├── PasswordTooLong              password_too_long            422
        │   ├── PasswordCharactersInvalid    password_characters_invalid  422
        │   └── PasswordTooCommon            password_too_common          422
        ├── StaffInviteInvalid               staff_invite_invalid         410
        ├── StaffInviteLimitReached          staff_invite_limit_reached   409
        ├── StaffMemberNotFound              staff_member_not_found       404
        ├── StaffRoleInvalid                 staff_role_invalid           422
        ├── CredentialCursorInvalid          credential_cursor_invalid    400
        ├── WalletNotFound                   wallet_resource_not_found    404
        │   ├── CredentialNotFound           credential_not_found         404
        │   ├── ShareNotFound                share_not_found              404
        │   ├── SkillNotFound                skill_not_found              404
        │   ├── OccupationNotFound           occupation_not_found         404
        │   ├── GoalNotFound                 goal_not_found               404
        │   ├── GrantNotFound                grant_not_found              404
        │   └── PresentationRequestNotFound  presentation_request_not_found 404
        ├── CredentialDuplicate              credential_duplicate         409
        ├── ShareGone                        share_gone                   410
        │   ├── ShareWithdrawn               share_withdrawn              410
        │   ├── ShareExpired                 share_expired                410
        │   └── ShareViewsExhausted          share_views_exhausted        410
        ├── ShareLimitReached                share_limit_reached          409
        ├── WalletFull                       wallet_full                  409
        ├── CredentialTooLarge               credential_too_large         413
        ├── StoredItemTooLarge               stored_item_too_large        413
        ├── GoalLimitReached                 goal_limit_reached           409
        ├── GrantLimitReached                grant_limit_reached          409
        ├── GrantInvalid                     grant_invalid                422
        ├── GrantGone                        grant_gone                   410
        │   ├── GrantWithdrawn               grant_withdrawn              410
        │   └── GrantExpired                 grant_expired                410
        ├── ShareInvalid                     share_invalid                422
        ├── ShareNonceRequired               share_nonce_required         400
        ├── ReauthenticationFailed           reauthentication_failed      403
        ├── PassphraseRejected               passphrase_rejected          422
        ├── ExportPassphraseWrong            export_passphrase_wrong      422
        ├── SkillInvalid                     skill_invalid                422
        ├── PresentationRequestExpired       presentation_request_expired 410
        ├── ApprovalInvalid                  approval_invalid             422
        ├── OutsideRequestInvalid            openid4vp_request_invalid    422
        ├── OutsideRequestUnreachable        openid4vp_request_unreachable 422
        ├── OutsideResponseRefused           openid4vp_response_not_accepted 422
        ├── ImportInvalid                    import_invalid               422
        ├── CredentialCheckUnavailable       credential_check_unavailable 503
        ├── CredentialOfferInvalid           credential_offer_invalid     422
        ├── CredentialOfferRefused           credential_offer_refused     409
        └── ActivityLogTampered              activity_log_tampered        500

Every resource of another person is "not found" (404), never "forbidden": a person cannot learn
that someone else's credential, share or skill exists. Messages never echo a claim value, a
password or a token.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from credentials.errors import TaitoError


class WalletError(TaitoError):
    code = "wallet_error"
    title = "The wallet cannot do this"
    status = 400


class AuthenticationFailed(WalletError):
    code = "login_failed"
    title = "The username or password is not correct"
    status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": "Bearer"}


class LoginThrottled(WalletError):
    code = "login_throttled"
    title = "Too many failed logins; try again later"
    status = 429

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(max(1, retry_after_seconds))}


class RegistrationThrottled(LoginThrottled):
    code = "registration_throttled"
    title = "Too many registrations from this address; try again later"


class AuthenticationBusy(WalletError):
    code = "authentication_busy"
    title = "Too many sign-ins at once; try again in a moment"
    status = 503

    def __init__(self, *, retry_after_seconds: int) -> None:
        super().__init__("Passwords are being checked for many people right now; try again.")
        self.headers = {"Retry-After": str(max(1, retry_after_seconds))}


class AccessTokenInvalid(WalletError):
    code = "access_token_invalid"
    title = "The access token is missing, expired or revoked"
    status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class RefreshTokenInvalid(WalletError):
    code = "refresh_token_invalid"
    title = "The refresh token is not valid"
    status = 401
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class RefreshTokenReused(RefreshTokenInvalid):
    code = "refresh_token_reused"
    title = "The refresh token was already used; every session of its family is ended"


class UsernameUnavailable(WalletError):
    """The one answer for a registered or a reserved name (docs/security.md, enumeration)."""

    code = "username_unavailable"
    title = "This username cannot be registered"
    status = 409


class UsernameRejected(WalletError):
    code = "username_rejected"
    title = "The username does not meet the rules"
    status = 422


class UsernameCharactersInvalid(UsernameRejected):
    code = "username_characters_invalid"
    title = "The username has spaces, control or invisible characters"


class PasswordRejected(WalletError):
    code = "password_rejected"
    title = "The password does not meet the rules"
    status = 422


class PasswordTooShort(PasswordRejected):
    code = "password_too_short"
    title = "The password is too short"


class PasswordTooLong(PasswordRejected):
    code = "password_too_long"
    title = "The password is too long"


class PasswordCharactersInvalid(PasswordRejected):
    code = "password_characters_invalid"
    title = "The password has control characters"


class PasswordTooCommon(PasswordRejected):
    code = "password_too_common"
    title = "The password is too easy to guess"


class StaffInviteLimitReached(WalletError):
    code = "staff_invite_limit_reached"
    title = "The organisation has as many open invitations as it may"
    status = 409


class StaffInviteInvalid(WalletError):
    """One answer for an unknown, used and expired invitation: nothing tells them apart."""

    code = "staff_invite_invalid"
    title = "The invitation link is not valid"
    status = 410


class StaffMemberNotFound(WalletError):
    code = "staff_member_not_found"
    title = "The organisation has no such staff member"
    status = 404


class StaffRoleInvalid(WalletError):
    code = "staff_role_invalid"
    title = "The role is not one of the staff roles"
    status = 422


class CredentialCursorInvalid(WalletError):
    code = "credential_cursor_invalid"
    title = "The cursor of the credential listing is not valid"
    status = 400


class WalletNotFound(WalletError):
    code = "wallet_resource_not_found"
    title = "There is no such item in your wallet"
    status = 404


class CredentialNotFound(WalletNotFound):
    code = "credential_not_found"
    title = "There is no such credential in your wallet"


class ShareNotFound(WalletNotFound):
    code = "share_not_found"
    title = "There is no such share"


class SkillNotFound(WalletNotFound):
    code = "skill_not_found"
    title = "There is no such self-declared skill in your wallet"


class OccupationNotFound(WalletNotFound):
    code = "occupation_not_found"
    title = "There is no such occupation in the occupations Taito knows"


class GoalNotFound(WalletNotFound):
    code = "goal_not_found"
    title = "There is no such goal occupation in your wallet"


class GrantNotFound(WalletNotFound):
    code = "grant_not_found"
    title = "There is no such grant"


class GrantLimitReached(WalletError):
    code = "grant_limit_reached"
    title = "You have as many active grants as a wallet may hold"
    status = 409


class GrantInvalid(WalletError):
    code = "grant_invalid"
    title = "The grant is not valid"
    status = 422


class GrantGone(WalletError):
    code = "grant_gone"
    title = "This grant no longer gives access"
    status = 410


class GrantWithdrawn(GrantGone):
    code = "grant_withdrawn"
    title = "The person has withdrawn this grant"


class GrantExpired(GrantGone):
    code = "grant_expired"
    title = "This grant has ended"


class GoalLimitReached(WalletError):
    code = "goal_limit_reached"
    title = "You have chosen as many goal occupations as a wallet may hold"
    status = 409


class PresentationRequestNotFound(WalletNotFound):
    code = "presentation_request_not_found"
    title = "There is no such presentation request"


class CredentialDuplicate(WalletError):
    code = "credential_duplicate"
    title = "This credential is already in your wallet"
    status = 409


class ShareGone(WalletError):
    code = "share_gone"
    title = "This share is no longer available"
    status = 410


class ShareWithdrawn(ShareGone):
    code = "share_withdrawn"
    title = "The person has withdrawn this share"


class ShareExpired(ShareGone):
    code = "share_expired"
    title = "This share has expired"


class ShareViewsExhausted(ShareGone):
    code = "share_views_exhausted"
    title = "This share has been viewed as many times as the person allowed"


class ShareLimitReached(WalletError):
    code = "share_limit_reached"
    title = "You have the maximum number of active shares"
    status = 409


class WalletFull(WalletError):
    code = "wallet_full"
    title = "The wallet holds as much of this as it may"
    status = 409


class CredentialTooLarge(WalletError):
    code = "credential_too_large"
    title = "The credential is too large to keep"
    status = 413


class StoredItemTooLarge(WalletError):
    code = "stored_item_too_large"
    title = "The item is too large to keep"
    status = 413


class PageInvalid(WalletError):
    code = "page_invalid"
    title = "The page size or cursor is not valid"
    status = 400


class ShareInvalid(WalletError):
    code = "share_invalid"
    title = "The share cannot be made as asked"
    status = 422


class ShareNonceRequired(WalletError):
    code = "share_nonce_required"
    title = "This share is for a verifier elsewhere: open it with that verifier's nonce"
    status = 400


class ReauthenticationFailed(WalletError):
    code = "reauthentication_failed"
    title = "The password given to confirm this is not correct"
    status = 403


class PassphraseRejected(WalletError):
    code = "passphrase_rejected"
    title = "The export passphrase does not meet the rules"
    status = 422


class ExportPassphraseWrong(WalletError):
    code = "export_passphrase_wrong"
    title = "The export does not open with this passphrase"
    status = 422


class SkillInvalid(WalletError):
    code = "skill_invalid"
    title = "The skill is not a known ESCO skill"
    status = 422


class PresentationRequestExpired(WalletError):
    code = "presentation_request_expired"
    title = "The presentation request has expired"
    status = 410


class ApprovalInvalid(WalletError):
    code = "approval_invalid"
    title = "The approval does not fit the request"
    status = 422


class OutsideRequestInvalid(WalletError):
    """A verifier's ``openid4vp://`` request that cannot be authenticated or is not supported
    (OpenID4VP 1.0 §5, §8.5 ``invalid_request``); nothing is shown or sent."""

    code = "openid4vp_request_invalid"
    title = "The verifier's request cannot be trusted or is not supported"
    status = 422


class OutsideRequestUnreachable(WalletError):
    code = "openid4vp_request_unreachable"
    title = "The verifier's request could not be fetched"
    status = 422


class OutsideResponseRefused(WalletError):
    code = "openid4vp_response_not_accepted"
    title = "The verifier did not accept the answer; nothing was recorded"
    status = 422


class ImportInvalid(WalletError):
    code = "import_invalid"
    title = "The wallet export cannot be imported"
    status = 422


class CredentialCheckUnavailable(WalletError):
    code = "credential_check_unavailable"
    title = "Credentials cannot be verified right now"
    status = 503


class CredentialOfferInvalid(WalletError):
    """A credential offer link, its offer, its issuer's metadata or answers are not usable."""

    code = "credential_offer_invalid"
    title = "The credential offer cannot be used"
    status = 422


class CredentialOfferRefused(WalletError):
    """The issuer refused: a wrong transaction code, or an offer used or expired."""

    code = "credential_offer_refused"
    title = "The issuer refused the offer: check the transaction code, or ask for a new offer"
    status = 409


@dataclass(frozen=True)
class LogProblem:
    """One finding of the activity log check: whose chain (a pseudonym), where, and what."""

    holder_ref: str
    seq: int | None
    reason: str


class ActivityLogTampered(WalletError):
    code = "activity_log_tampered"
    title = "The activity log has been altered"
    status = 500

    def __init__(self, problems: Sequence[LogProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) found in the activity log")
        self.problems = tuple(problems)
