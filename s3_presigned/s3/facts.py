"""What S3 itself defines, which both the validation and the conversation with S3 rely on."""

from __future__ import annotations

import re

MAX_KEY_BYTES = 1024  # the longest object key, in UTF-8
MAX_UPLOAD_BYTES = 5 * 1024**3  # the largest object one PUT or POST may write
BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,254}")  # every store's names, not only AWS's stricter rule
DEFAULT_PORTS = {"http": 80, "https": 443}  # which a URL, and SigV4's Host header, leave unsaid
# A region names a host: botocore refuses one longer than a DNS label or all digits. Stores use names such as "auto".
REGION = re.compile(r"(?![0-9]++\Z)(?=[a-z0-9-]{1,63}\Z)[a-z0-9]([a-z0-9-]*[a-z0-9])?")
AWS_REGION = re.compile(r"(?=[a-z0-9-]{1,63}\Z)[a-z]{2}(-[a-z]+)+-\d+")
DEFAULT_STORE_REGION = "us-east-1"  # what S3-compatible stores expect when no region is given
FIRST_GUESS_REGION = "us-east-1"  # where to ask AWS first: it answers with the bucket's region
# Storage classes whose objects cannot be read until restored; Glacier Instant Retrieval can.
ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})
STORAGE_CLASSES = frozenset(
    {
        "STANDARD",
        "REDUCED_REDUNDANCY",
        "STANDARD_IA",
        "ONEZONE_IA",
        "INTELLIGENT_TIERING",
        "GLACIER",
        "GLACIER_IR",
        "DEEP_ARCHIVE",
        "OUTPOSTS",
        "SNOW",
        "EXPRESS_ONEZONE",
        "FSX_OPENZFS",
    }
)
# An MD5 in hex, and for a multipart object the count of its parts: quoted as sent, or unquoted as parsed.
ETAG = re.compile(r'"[0-9a-fA-F]{32}(?:-[0-9]{1,5})?"|[0-9a-fA-F]{32}(?:-[0-9]{1,5})?')
VERSION_ID = re.compile(r"[A-Za-z0-9._+/-]{1,1024}+")
# The response headers a download link may override, by the name botocore gives their query parameters.
RESPONSE_CONTENT_TYPE = "ResponseContentType"
RESPONSE_CACHE_CONTROL = "ResponseCacheControl"
RESPONSE_CONTENT_LANGUAGE = "ResponseContentLanguage"
RESPONSE_CONTENT_ENCODING = "ResponseContentEncoding"
RESPONSE_CONTENT_DISPOSITION = "ResponseContentDisposition"
FILENAME = "${filename}"  # in a POST form's key, S3 puts the uploaded file's name here
FORM_CONTENT_TYPE = "application/octet-stream"  # what S3 serves an upload as when it names no type


def has_dot_segment(key: str) -> bool:
    """Whether a key has a ``.`` or ``..`` path segment, which no link can carry to S3 intact."""
    return any(segment in (".", "..") for segment in key.split("/"))


# STS's limits on a role session and what names it.
ROLE_MIN_SECONDS = 900  # the shortest role session
ROLE_MAX_SECONDS = 43200  # the longest role session
# Checked only where a role is given: compiled then, by re's cache.
ROLE_ARN = r"(?a)arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}"
ROLE_SESSION_NAME = r"(?a)[\w+=,.@-]{2,64}"
EXTERNAL_ID = r"(?a)[\w+=,.@:/-]{2,1224}"
WEB_IDENTITY_TOKEN_CHARS = range(4, 20_001)


# The error codes S3 documents, and those S3-compatible stores add: a code is shown only if it is one of these.
ERROR_CODES = frozenset(
    {
        "AccessControlListNotSupported",
        "AccessDenied",
        "AccessPointAlreadyOwnedByYou",
        "AccountProblem",
        "AllAccessDisabled",
        "AmbiguousGrantByEmailAddress",
        "AuthorizationHeaderMalformed",
        "AuthorizationQueryParametersError",
        "BadDigest",
        "BadRequest",
        "BucketAlreadyExists",
        "BucketAlreadyOwnedByYou",
        "BucketNotEmpty",
        "ClientTokenConflict",
        "ConditionalRequestConflict",
        "CredentialsNotSupported",
        "CrossLocationLoggingProhibited",
        "EntityTooLarge",
        "EntityTooSmall",
        "ExpiredToken",
        "IllegalLocationConstraintException",
        "IllegalVersioningConfigurationException",
        "IncompleteBody",
        "IncorrectNumberOfFilesInPostRequest",
        "InlineDataTooLarge",
        "InternalError",
        "InvalidAccessKeyId",
        "InvalidAccessPoint",
        "InvalidAccessPointAliasError",
        "InvalidAddressingHeader",
        "InvalidArgument",
        "InvalidBucketAclWithObjectOwnership",
        "InvalidBucketName",
        "InvalidBucketState",
        "InvalidDigest",
        "InvalidEncryptionAlgorithmError",
        "InvalidLocationConstraint",
        "InvalidObjectState",
        "InvalidPart",
        "InvalidPartOrder",
        "InvalidPayer",
        "InvalidPolicyDocument",
        "InvalidRange",
        "InvalidRequest",
        "InvalidSecurity",
        "InvalidSOAPRequest",
        "InvalidStorageClass",
        "InvalidTag",
        "InvalidTargetBucketForLogging",
        "InvalidToken",
        "InvalidURI",
        "KeyTooLongError",
        "MalformedACLError",
        "MalformedPOSTRequest",
        "MalformedPolicy",
        "MalformedXML",
        "MaxMessageLengthExceeded",
        "MaxPostPreDataLengthExceededError",
        "MetadataTooLarge",
        "MethodNotAllowed",
        "MissingAttachment",
        "MissingContentLength",
        "MissingRequestBodyError",
        "MissingSecurityElement",
        "MissingSecurityHeader",
        "NoLoggingStatusForKey",
        "NoSuchAccessPoint",
        "NoSuchBucket",
        "NoSuchBucketPolicy",
        "NoSuchCORSConfiguration",
        "NoSuchKey",
        "NoSuchLifecycleConfiguration",
        "NoSuchTagSet",
        "NoSuchUpload",
        "NoSuchVersion",
        "NoSuchWebsiteConfiguration",
        "NotFound",
        "NotImplemented",
        "NotModified",
        "NotSignedUp",
        "OperationAborted",
        "OwnershipControlsNotFoundError",
        "PermanentRedirect",
        "PreconditionFailed",
        "Redirect",
        "RequestHeaderSectionTooLarge",
        "RequestIsNotMultiPartContent",
        "RequestTimeTooSkewed",
        "RequestTimeout",
        "RestoreAlreadyInProgress",
        "ServiceUnavailable",
        "SignatureDoesNotMatch",
        "SlowDown",
        "TemporaryRedirect",
        "TokenRefreshRequired",
        "TooManyBuckets",
        "UnexpectedContent",
        "UnknownError",
        "UnresolvableGrantByEmailAddress",
        "UserKeyMustBeSpecified",
        "XAmzContentSHA256Mismatch",
        "XMinioInvalidObjectName",
        "KMS.AccessDeniedException",
        "KMS.DisabledException",
        "KMS.InvalidCiphertextException",
        "KMS.InvalidKeyUsageException",
        "KMS.KMSInvalidStateException",
        "KMS.KeyUnavailableException",
        "KMS.NotFoundException",
        "KMS.ThrottlingException",
    }
)
UNKNOWN_ERROR_CODE = "UnnamedError"  # what is shown for a code outside the set: the server's own is not
