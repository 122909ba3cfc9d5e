package io.pillarbox.metrics;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.ReflectionException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A read-only MBean whose attributes are computed together on each read (one look at the counters for all
 * attributes asked in one call). Its attribute list may grow (a protocol's new counter).
 */
final class AttributeBean implements DynamicMBean {

    /** One attribute: its name, JMX type ({@code long}, {@code double}, {@code java.lang.String}, ...) and meaning. */
    record Attr(String name, String type, String description) {
        static Attr ofLong(String name, String description) {
            return new Attr(name, "long", description);
        }

        static Attr ofInt(String name, String description) {
            return new Attr(name, "int", description);
        }

        static Attr ofDouble(String name, String description) {
            return new Attr(name, "double", description);
        }

        static Attr ofString(String name, String description) {
            return new Attr(name, String.class.getName(), description);
        }

        static Attr ofBoolean(String name, String description) {
            return new Attr(name, "boolean", description);
        }

        static Attr ofLongs(String name, String description) {
            return new Attr(name, long[].class.getName(), description);
        }
    }

    private final String description;
    private final Supplier<List<Attr>> attributes;
    private final Supplier<Map<String, Object>> values;

    AttributeBean(String description, Supplier<List<Attr>> attributes, Supplier<Map<String, Object>> values) {
        this.description = description;
        this.attributes = attributes;
        this.values = values;
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Map<String, Object> v = values.get();
        if (!v.containsKey(attribute)) {
            throw new AttributeNotFoundException(attribute);
        }
        return v.get(attribute);
    }

    @Override
    public AttributeList getAttributes(String[] names) {
        Map<String, Object> v = values.get();
        AttributeList list = new AttributeList();
        for (String n : names) {
            if (v.containsKey(n)) {
                list.add(new Attribute(n, v.get(n)));
            }
        }
        return list;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException(attribute.getName() + " is read-only");
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) throws ReflectionException {
        throw new ReflectionException(new NoSuchMethodException(actionName), "no operations");
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        List<Attr> list = attributes.get();
        MBeanAttributeInfo[] infos = new MBeanAttributeInfo[list.size()];
        for (int i = 0; i < infos.length; i++) {
            Attr a = list.get(i);
            infos[i] = new MBeanAttributeInfo(a.name(), a.type(), a.description(), true, false,
                    a.type().equals("boolean") && a.name().startsWith("Is"));
        }
        return new MBeanInfo(AttributeBean.class.getName(), description, infos, null, null, null);
    }
}
