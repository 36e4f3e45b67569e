package dev.ferrymq.mqtt;

import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttProperties;

/**
 * A client's last will (MQTT 3.1.1 §3.1.2.5): published for it when its connection ends without a DISCONNECT
 * packet (or, in MQTT 5, with DISCONNECT reason 0x04 "disconnect with will message"): a lost network, a keep-alive
 * timeout, a protocol error, a takeover by another connection with the same client id.
 *
 * @param properties the will's MQTT 5 properties (user properties, content type, expiry), or null before 5
 */
record Will(String topic, int qos, boolean retain, byte[] body, MqttProperties properties) {

    /** The will of a CONNECT, or null when it has none. */
    static Will of(MqttConnectMessage connect, boolean mqtt5) {
        if (!connect.variableHeader().isWillFlag()) {
            return null;
        }
        byte[] body = connect.payload().willMessageInBytes();
        return new Will(connect.payload().willTopic(), connect.variableHeader().willQos(),
                connect.variableHeader().isWillRetain(), body == null ? new byte[0] : body,
                mqtt5 ? connect.payload().willProperties() : null);
    }
}
