package dev.ferrymq.server.management;

/** An HTTP error answered as RabbitMQ does: the status and a JSON body {"error": ..., "reason": ...}. */
final class ApiException extends RuntimeException {
    private final int status;
    private final String error;

    ApiException(int status, String error, String reason) {
        super(reason, null, false, false);
        this.status = status;
        this.error = error;
    }

    static ApiException badRequest(String reason) {
        return new ApiException(400, "bad_request", reason);
    }

    static ApiException notAuthorised(String reason) {
        return new ApiException(401, "not_authorised", reason);
    }

    static ApiException notFound() {
        return new ApiException(404, "Object Not Found", "Not Found");
    }

    static ApiException methodNotAllowed() {
        return new ApiException(405, "Method Not Allowed", "Method Not Allowed");
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }

    String reason() {
        return getMessage();
    }
}
