package dev.ferrymq.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataCommandCodecTest {

    @Test
    void everyCommandReadsBackEqual() throws IOException {
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("alternate-exchange", "ae");
        arguments.put("x-count", 3);
        List<MetadataCommand> commands = List.of(
                new MetadataCommand.AddVhost("v"),
                new MetadataCommand.DeleteVhost("v"),
                new MetadataCommand.DeleteUser("u"),
                new MetadataCommand.SetPermissions("u", "v", ".*", "", "^a"),
                new MetadataCommand.ClearPermissions("u", "v"),
                new MetadataCommand.SetTopicPermission("u", "v", "amq.topic", "w", "r"),
                new MetadataCommand.ClearTopicPermission("u", "v", "amq.topic"),
                new MetadataCommand.ClearTopicPermission("u", "v", null),
                new MetadataCommand.SetPolicy("v", "p", true, "^q", "queues", 4, Map.of("max-length", 10)),
                new MetadataCommand.ClearPolicy("v", "p", false),
                new MetadataCommand.DeclareExchange("v", "x", "topic", false, true, true, arguments),
                new MetadataCommand.DeleteExchange("v", "x", true),
                new MetadataCommand.BindExchange(false, "v", "d", "s", "a.#", arguments),
                new MetadataCommand.DeclareQueue("v", "q", true, false, arguments, "n1"),
                new MetadataCommand.DeleteQueue("v", "q"),
                new MetadataCommand.BindQueue(true, "v", "q", "amq.topic", "a.*", arguments),
                new MetadataCommand.SetNodeEndpoint("n1", "10.0.0.1", 5672, "secret", -42L));
        for (MetadataCommand command : commands) {
            assertThat(MetadataCommandCodec.decode(MetadataCommandCodec.encode(command))).isEqualTo(command);
        }
    }

    @Test
    void aUserReadsBackWithItsHashAndTags() throws IOException {
        MetadataCommand.PutUser user = new MetadataCommand.PutUser("u", new byte[] {1, 2, 3},
                List.of("administrator", "monitoring"));
        MetadataCommand.PutUser read = (MetadataCommand.PutUser) MetadataCommandCodec.decode(
                MetadataCommandCodec.encode(user));
        assertThat(read.name()).isEqualTo("u");
        assertThat(read.passwordHash()).containsExactly(1, 2, 3);
        assertThat(read.tags()).containsExactly("administrator", "monitoring");
    }
}
