package dev.ferrymq.mqtt;

import dev.ferrymq.broker.adapter.AdapterContext;
import dev.ferrymq.broker.adapter.ProtocolAdapter;
import dev.ferrymq.broker.adapter.ProtocolListener;

/** The MQTT adapter, found by the server through {@link java.util.ServiceLoader} when {@code mqtt-port} is set. */
public final class MqttAdapter implements ProtocolAdapter {

    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public ProtocolListener start(AdapterContext context) throws Exception {
        return new MqttListener(context, MqttSettings.from(context));
    }
}
