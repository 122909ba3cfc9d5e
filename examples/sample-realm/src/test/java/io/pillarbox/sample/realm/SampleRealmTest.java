package io.pillarbox.sample.realm;

import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.auth.contract.AuthRealmContract;

import java.lang.annotation.Annotation;

/** A third-party realm proves itself with the shared contract suite: extend it and name a user. */
class SampleRealmTest extends AuthRealmContract {

    @Override
    protected AuthRealm createRealm() {
        SampleRealm realm = new SampleRealm();
        realm.configure(new SampleRealm.Config() {
            @Override
            public String[] _users() {
                return new String[] {"someone@example.org:Sample-Pass-123", "gone@example.org:Gone-Pass-456:disabled"};
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return SampleRealm.Config.class;
            }
        });
        return realm;
    }

    @Override
    protected String knownUser() {
        return "someone@example.org";
    }

    @Override
    protected String knownPassword() {
        return "Sample-Pass-123";
    }

    @Override
    protected String disabledUser() {
        return "gone@example.org";
    }

    @Override
    protected String disabledPassword() {
        return "Gone-Pass-456";
    }
}
