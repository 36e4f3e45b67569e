package dev.ferrymq.server.management;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The web UI: a few files served from the jar (resources under {@code /ferrymq-ui/}). Stateless. */
final class StaticFiles {
    private static final String ROOT = "/ferrymq-ui";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "png", "image/png");

    /** The file for a path, or null; "/" is index.html. Only plain file names, no traversal. */
    FullHttpResponse serve(String path) {
        String name = path.equals("/") ? "index.html" : path.substring(1);
        if (!name.matches("[A-Za-z0-9_-]+\\.[a-z]+")) {
            return null;
        }
        String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
        if (type == null) {
            return null;
        }
        try (InputStream in = StaticFiles.class.getResourceAsStream(ROOT + "/" + name)) {
            return in == null ? null : HttpHandler.bytes(HttpResponseStatus.OK, in.readAllBytes(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
