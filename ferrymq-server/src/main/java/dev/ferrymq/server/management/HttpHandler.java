package dev.ferrymq.server.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferrymq.broker.BrokerException;
import dev.ferrymq.broker.cluster.ClusterException;
import dev.ferrymq.broker.Users;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The management port's request handler: {@code /api/...} (JSON, HTTP basic auth against the broker's users),
 * {@code /metrics} (Prometheus text, no auth, as RabbitMQ's Prometheus endpoint) and the web UI's static files.
 * Stateless, shared by all connections; runs on the management event loop, never on an AMQP one (so it may wait
 * for AMQP connections' snapshots).
 */
@ChannelHandler.Sharable
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpHandler.class);
    private static final String API_PREFIX = "/api/";

    private final ApiContext ctx;
    private final Routes routes;
    private final PrometheusMetrics metrics;
    private final StaticFiles staticFiles = new StaticFiles();

    HttpHandler(ApiContext ctx, Routes routes, PrometheusMetrics metrics) {
        this.ctx = ctx;
        this.routes = routes;
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext channel, FullHttpRequest request) {
        FullHttpResponse response;
        try {
            response = respond(channel, request);
        } catch (ApiException e) {
            response = error(e, request);
        } catch (BrokerException e) {
            response = error(fromBroker(e), request);
        } catch (IllegalArgumentException | ClusterException e) {
            response = error(ApiException.badRequest(e.getMessage()), request);
        } catch (Exception e) {
            log.error("management request {} {} failed", request.method(), request.uri(), e);
            response = error(new ApiException(500, "internal_server_error", e.toString()), request);
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            channel.writeAndFlush(response);
        } else {
            channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse respond(ChannelHandlerContext channel, FullHttpRequest request) throws Exception {
        String uri = request.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String method = request.method().name();
        if (path.equals("/metrics")) {
            return text(HttpResponseStatus.OK, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8");
        }
        if (!path.startsWith(API_PREFIX)) {
            FullHttpResponse file = staticFiles.serve(path);
            if (file == null) {
                throw ApiException.notFound();
            }
            return file;
        }
        Users.User user = authenticate(channel, request);
        Routes.Match match = routes.match(method, segments(path.substring(API_PREFIX.length())));
        JsonNode body = parseBody(request.content());
        ApiRequest apiRequest = new ApiRequest(method, match.params(),
                new QueryStringDecoder(uri).parameters(), body, user);
        boolean get = method.equals("GET") || method.equals("HEAD");
        ListQuery listQuery = get ? ListQuery.of(apiRequest, match.pageable()) : null; // 400s before any work
        Object result = match.handler().handle(apiRequest);
        if (listQuery != null) {
            result = listQuery.apply(result);
        }
        if (result instanceof Routes.Status status) {
            return status.body() == null ? empty(HttpResponseStatus.valueOf(status.code()))
                    : json(HttpResponseStatus.valueOf(status.code()), status.body());
        }
        return result == null ? empty(HttpResponseStatus.NO_CONTENT) : json(HttpResponseStatus.OK, result);
    }

    /** HTTP basic auth against the broker's users; loopback-only users (guest) only from loopback. */
    private Users.User authenticate(ChannelHandlerContext channel, FullHttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw new ApiException(401, "not_authorised", "Login failed");
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(401, "not_authorised", "Login failed");
        }
        int colon = decoded.indexOf(':');
        Users.User user = colon < 0 ? null
                : ctx.broker.users().authenticate(decoded.substring(0, colon), decoded.substring(colon + 1));
        InetSocketAddress peer = (InetSocketAddress) channel.channel().remoteAddress();
        if (user == null) {
            log.warn("management login failed for '{}' from {}", colon < 0 ? "" : decoded.substring(0, colon), peer);
            throw new ApiException(401, "not_authorised", "Login failed");
        }
        if (user.loopbackOnly() && !peer.getAddress().isLoopbackAddress()) {
            throw new ApiException(401, "not_authorised", "User can only log in via localhost");
        }
        if (!user.canUseManagement()) {
            throw new ApiException(401, "not_authorised", "Not management user");
        }
        return user;
    }

    /** Path segments, each percent-decoded on its own so that an encoded "/" (vhost %2F) stays inside it. */
    static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        for (String raw : path.split("/", -1)) {
            segments.add(percentDecode(raw));
        }
        if (segments.size() > 1 && segments.get(segments.size() - 1).isEmpty()) {
            segments.remove(segments.size() - 1); // trailing slash
        }
        return segments;
    }

    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                try {
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                    continue;
                } catch (NumberFormatException e) {
                    throw ApiException.badRequest("bad percent-encoding in path");
                }
            }
            byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
            out.write(bytes, 0, bytes.length);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode parseBody(ByteBuf content) {
        if (!content.isReadable()) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(content.toString(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("failed_to_parse_json: " + e.getOriginalMessage());
        }
    }

    private static ApiException fromBroker(BrokerException e) {
        return switch (e.replyCode()) {
            case BrokerException.NOT_FOUND -> new ApiException(404, "not_found", e.getMessage());
            case BrokerException.ACCESS_REFUSED -> ApiException.notAuthorised(e.getMessage());
            default -> ApiException.badRequest(e.getMessage());
        };
    }

    /**
     * A JSON error; a 401 challenges for basic auth, except for script requests (X-Requested-With, as the web UI
     * sends): a browser would answer the challenge with its own login dialog instead of the UI's form.
     */
    private static FullHttpResponse error(ApiException e, FullHttpRequest request) {
        FullHttpResponse response = json(HttpResponseStatus.valueOf(e.status()),
                Json.obj("error", e.error(), "reason", e.reason()));
        if (e.status() == 401 && !request.headers().contains("X-Requested-With")) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"RabbitMQ Management\"");
        }
        return response;
    }

    private static FullHttpResponse json(HttpResponseStatus status, Object body) {
        try {
            return bytes(status, Json.MAPPER.writeValueAsBytes(body), "application/json");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body, String contentType) {
        return bytes(status, body.getBytes(StandardCharsets.UTF_8), contentType);
    }

    private static FullHttpResponse empty(HttpResponseStatus status) {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
    }

    static FullHttpResponse bytes(HttpResponseStatus status, byte[] body, String contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext channel, Throwable cause) {
        log.debug("management connection failed: {}", cause.toString());
        channel.close();
    }
}
