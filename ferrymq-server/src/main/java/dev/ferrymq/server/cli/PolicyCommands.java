package dev.ferrymq.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ferrymq set-policy}, {@code clear-policy} and {@code list-policies}, like rabbitmqctl's, through the
 * management API's /api/policies. The vhost is {@code --vhost}, else the one of {@code --uri}.
 */
final class PolicyCommands {
    private PolicyCommands() {
    }

    /** The vhost option the policy commands share. */
    abstract static class PolicyBase extends ClientCommands.Base {
        @Option(names = {"--vhost", "-p"}, paramLabel = "V", description = "Virtual host (default: the one of --uri).")
        String vhostOption;

        @Override
        String vhost() {
            return vhostOption != null ? vhostOption : super.vhost();
        }
    }

    @Command(name = "set-policy", mixinStandardHelpOptions = true,
            description = "Add or replace a policy: queues/exchanges whose name matches PATTERN get DEFINITION.")
    static final class SetPolicy extends PolicyBase {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "PATTERN", description = "Regular expression searched in names.")
        String pattern;

        @Parameters(index = "2", paramLabel = "DEFINITION_JSON",
                description = "e.g. '{\"max-length\":1000,\"dead-letter-exchange\":\"dlx\"}'")
        String definition;

        @Option(names = "--priority", defaultValue = "0", description = "Priority (default 0); the highest matching "
                + "policy applies.")
        int priority;

        @Option(names = "--apply-to", defaultValue = "all", paramLabel = "queues|exchanges|all",
                description = "What the policy applies to (default all).")
        String applyTo;

        @Override
        void run() throws Exception {
            JsonNode parsed;
            try {
                parsed = JSON.readTree(definition);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new Refused("DEFINITION_JSON is not valid JSON: " + e.getOriginalMessage());
            }
            ObjectNode body = JSON.createObjectNode().put("pattern", pattern).put("priority", priority)
                    .put("apply-to", applyTo);
            body.set("definition", parsed);
            http("PUT", "policies/" + vhostPath() + "/" + enc(name), body);
            System.out.println("policy " + name + " set");
        }
    }

    @Command(name = "clear-policy", mixinStandardHelpOptions = true, description = "Remove a policy.")
    static final class ClearPolicy extends PolicyBase {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run() throws Exception {
            http("DELETE", "policies/" + vhostPath() + "/" + enc(name), null);
            System.out.println("policy " + name + " cleared");
        }
    }

    @Command(name = "list-policies", mixinStandardHelpOptions = true, description = "List the policies of a vhost.")
    static final class ListPolicies extends PolicyBase {
        @Override
        void run() throws Exception {
            System.out.println("name\tpattern\tapply-to\tdefinition\tpriority");
            for (JsonNode p : http("GET", "policies/" + vhostPath(), null)) {
                System.out.println(p.path("name").asText() + "\t" + p.path("pattern").asText() + "\t"
                        + p.path("apply-to").asText() + "\t" + p.path("definition") + "\t"
                        + p.path("priority").asInt());
            }
        }
    }
}
