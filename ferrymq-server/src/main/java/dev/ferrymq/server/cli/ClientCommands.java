package dev.ferrymq.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The management subcommands of {@code ferrymq} (status, list, declare, delete, purge, export-definitions,
 * import-definitions). They talk to the management HTTP API; credentials and vhost come from {@code --uri}. Exit
 * codes: 0 success, 1 the broker refused (the error is printed), 2 broker not reachable. {@code publish} and
 * {@code consume} speak AMQP instead: {@link PublishCommand}, {@link ConsumeCommand}.
 */
final class ClientCommands {
    private ClientCommands() {
    }

    /** Options every client command shares, and the HTTP plumbing. */
    abstract static class Base implements Callable<Integer> {
        static final ObjectMapper JSON = new ObjectMapper();

        @Option(names = "--uri", paramLabel = "URI", defaultValue = "amqp://guest:guest@localhost:5672/",
                description = "Broker URI for credentials and vhost (default ${DEFAULT-VALUE}).")
        String uri;

        @Option(names = "--management-url", paramLabel = "URL", defaultValue = "http://localhost:15672",
                description = "Management API base URL (default ${DEFAULT-VALUE}).")
        String managementUrl;

        /** Thrown for an HTTP error answer: the message is the broker's reason. */
        static final class Refused extends RuntimeException {
            Refused(String message) {
                super(message);
            }
        }

        @Override
        public final Integer call() throws Exception {
            try {
                run();
                return 0;
            } catch (Refused e) {
                System.err.println("ferrymq: " + e.getMessage());
                return 1;
            } catch (ConnectException e) {
                System.err.println("ferrymq: cannot reach the management API at " + managementUrl
                        + " (is the broker running? see --management-url)");
                return 2;
            }
        }

        abstract void run() throws Exception;

        String vhost() {
            return AmqpClientCommand.vhostOf(uri);
        }

        static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }

        String vhostPath() {
            return enc(vhost());
        }

        JsonNode http(String method, String path, Object body) throws IOException, InterruptedException {
            String userInfo = URI.create(uri).getUserInfo();
            HttpRequest request = HttpRequest.newBuilder(URI.create(managementUrl + "/api/" + path))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body instanceof String s ? s
                            : JSON.writeValueAsString(body)))
                    .header("content-type", "application/json")
                    .header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                            (userInfo == null ? "guest:guest" : userInfo).getBytes(StandardCharsets.UTF_8)))
                    .build();
            HttpResponse<String> response = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isEmpty() ? null : JSON.readTree(response.body());
            if (response.statusCode() >= 400) {
                throw new Refused(response.statusCode() + " " + (json == null ? "" : json.path("reason").asText()));
            }
            return json;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show broker version and totals.")
    static final class Status extends Base {
        @Override
        void run() throws Exception {
            JsonNode o = http("GET", "overview", null);
            System.out.printf("%s %s (RabbitMQ-compatible %s)%n", o.path("product_name").asText(),
                    o.path("product_version").asText(), o.path("rabbitmq_version").asText());
            o.path("object_totals").fields().forEachRemaining(f -> System.out.println(f.getKey() + ": "
                    + f.getValue()));
            System.out.println("messages: " + o.at("/queue_totals/messages").asLong());
            System.out.printf("publish rate: %.1f/s, deliver rate: %.1f/s%n",
                    o.at("/message_stats/publish_details/rate").asDouble(),
                    o.at("/message_stats/deliver_get_details/rate").asDouble());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List queues, exchanges, bindings, connections, consumers, vhosts or users.")
    static final class ListCommand extends Base {
        @Parameters(paramLabel = "WHAT", description = "queues|exchanges|bindings|connections|consumers|vhosts|users")
        String what;

        @Override
        void run() throws Exception {
            List<String> columns = switch (what) {
                case "queues" -> List.of("name", "messages", "consumers", "durable");
                case "exchanges" -> List.of("name", "type", "durable");
                case "bindings" -> List.of("source", "destination", "destination_type", "routing_key");
                case "connections" -> List.of("name", "user", "vhost", "channels");
                case "consumers" -> List.of("consumer_tag", "queue", "ack_required");
                case "vhosts" -> List.of("name", "messages");
                case "users" -> List.of("name", "tags");
                default -> throw new Refused("cannot list '" + what + "'");
            };
            boolean perVhost = List.of("queues", "exchanges", "bindings", "consumers").contains(what);
            System.out.println(String.join("\t", columns));
            for (JsonNode row : http("GET", perVhost ? what + "/" + vhostPath() : what, null)) {
                StringBuilder line = new StringBuilder();
                for (String column : columns) {
                    JsonNode value = row.path(column);
                    line.append(line.length() == 0 ? "" : "\t")
                            .append(value.isObject() ? value.path("name").asText() : value.isValueNode()
                                    ? value.asText() : value.toString());
                }
                System.out.println(line);
            }
        }
    }

    @Command(name = "declare", mixinStandardHelpOptions = true, description = "Declare a queue, exchange or binding.")
    static final class Declare extends Base {
        @Parameters(index = "0", paramLabel = "KIND", description = "queue|exchange|binding")
        String kind;

        @Parameters(index = "1", paramLabel = "NAME", description = "queue or exchange name; for a binding the "
                + "source exchange")
        String name;

        @Option(names = "--type", defaultValue = "direct", description = "Exchange type (default direct).")
        String type;

        @Option(names = "--transient", description = "Not durable.")
        boolean transientEntity;

        @Option(names = "--destination", description = "Binding destination queue.")
        String destination;

        @Option(names = "--routing-key", defaultValue = "", description = "Binding routing key.")
        String routingKey;

        @Override
        void run() throws Exception {
            ObjectNode body = JSON.createObjectNode().put("durable", !transientEntity);
            switch (kind) {
                case "queue" -> http("PUT", "queues/" + vhostPath() + "/" + enc(name), body);
                case "exchange" -> http("PUT", "exchanges/" + vhostPath() + "/" + enc(name), body.put("type", type));
                case "binding" -> {
                    if (destination == null) {
                        throw new Refused("a binding needs --destination QUEUE");
                    }
                    http("POST", "bindings/" + vhostPath() + "/e/" + enc(name) + "/q/" + enc(destination),
                            JSON.createObjectNode().put("routing_key", routingKey));
                }
                default -> throw new Refused("cannot declare '" + kind + "'");
            }
            System.out.println(kind + " declared");
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a queue or exchange.")
    static final class Delete extends Base {
        @Parameters(index = "0", paramLabel = "KIND", description = "queue|exchange")
        String kind;

        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        void run() throws Exception {
            if (!kind.equals("queue") && !kind.equals("exchange")) {
                throw new Refused("cannot delete '" + kind + "'");
            }
            http("DELETE", kind + "s/" + vhostPath() + "/" + enc(name), null);
            System.out.println(kind + " deleted");
        }
    }

    @Command(name = "purge", mixinStandardHelpOptions = true, description = "Drop the ready messages of a queue.")
    static final class Purge extends Base {
        @Parameters(paramLabel = "QUEUE")
        String queue;

        @Override
        void run() throws Exception {
            http("DELETE", "queues/" + vhostPath() + "/" + enc(queue) + "/contents", null);
            System.out.println("queue purged");
        }
    }

    @Command(name = "export-definitions", mixinStandardHelpOptions = true,
            description = "Write users, vhosts, permissions, topic permissions, queues, exchanges and bindings to FILE "
                    + "(RabbitMQ definitions JSON).")
    static final class Export extends Base {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        void run() throws Exception {
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(http("GET", "definitions", null)));
            System.out.println("definitions written to " + file);
        }
    }

    @Command(name = "import-definitions", mixinStandardHelpOptions = true,
            description = "Load a RabbitMQ (or FerryMQ) definitions JSON file.")
    static final class Import extends Base {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        void run() throws Exception {
            http("POST", "definitions", Files.readString(file));
            System.out.println("definitions imported from " + file);
        }
    }
}
