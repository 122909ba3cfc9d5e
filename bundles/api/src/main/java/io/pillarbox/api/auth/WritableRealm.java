package io.pillarbox.api.auth;

import java.io.IOException;
import java.util.List;

/** A realm whose users can be managed from Pillarbox (the shell's {@code mail:user-*} commands). */
public interface WritableRealm extends AuthRealm {

    /** The users this realm knows, sorted. */
    List<String> users() throws IOException;

    /** Adds a user; the password is stored only as a strong hash. */
    void addUser(String user, char[] password) throws IOException;

    void setPassword(String user, char[] password) throws IOException;

    /** @return whether the user existed */
    boolean removeUser(String user) throws IOException;
}
