package dev.ferrymq.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;

import java.util.List;

/**
 * Builds the packets the server sends. Netty's encoder writes reason codes and properties only on an MQTT 5
 * connection (it knows the version from the CONNECT it decoded), so one builder serves every version. Stateless.
 */
final class Packets {
    static final byte SUCCESS = 0x00;
    static final byte NO_MATCHING_SUBSCRIBERS = 0x10;
    static final byte NOT_AUTHORIZED = (byte) 0x87;
    static final byte QUOTA_EXCEEDED = (byte) 0x97;

    private Packets() {
    }

    static MqttMessage connAck(MqttConnectReturnCode code, boolean sessionPresent, MqttProperties properties) {
        return MqttMessageBuilders.connAck().returnCode(code).sessionPresent(sessionPresent).properties(properties)
                .build();
    }

    static MqttMessage pubAck(int packetId, byte reasonCode) {
        return reply(MqttMessageType.PUBACK, MqttQoS.AT_MOST_ONCE, packetId, reasonCode);
    }

    static MqttMessage pubRec(int packetId, byte reasonCode) {
        return reply(MqttMessageType.PUBREC, MqttQoS.AT_MOST_ONCE, packetId, reasonCode);
    }

    static MqttMessage pubComp(int packetId) {
        return reply(MqttMessageType.PUBCOMP, MqttQoS.AT_MOST_ONCE, packetId, SUCCESS);
    }

    private static MqttMessage reply(MqttMessageType type, MqttQoS qos, int packetId, byte reasonCode) {
        return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0),
                new MqttPubReplyMessageVariableHeader(packetId, reasonCode, MqttProperties.NO_PROPERTIES));
    }

    /** @param codes granted QoS (0, 1, 2) or a failure code (0x80, or an MQTT 5 reason code), per filter */
    static MqttSubAckMessage subAck(int packetId, List<Integer> codes) {
        return new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false,
                0), new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttSubAckPayload(codes));
    }

    static MqttUnsubAckMessage unsubAck(int packetId, int filters) {
        short[] success = new short[filters]; // 0x00 success, per filter (MQTT 5; 3.1.1 has none)
        return new MqttUnsubAckMessage(new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE,
                false, 0), new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttUnsubAckPayload(success));
    }

    static MqttMessage disconnect(byte reasonCode) {
        return MqttMessageBuilders.disconnect().reasonCode(reasonCode).build();
    }
}
