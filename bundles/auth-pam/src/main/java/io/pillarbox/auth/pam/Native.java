package io.pillarbox.auth.pam;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.PointerByReference;

/** The few libpam and libc functions the PAM realm needs, bound with JNA. */
final class Native {

    static final int PAM_SUCCESS = 0;
    static final int PAM_BUF_ERR = 5;
    static final int PAM_PERM_DENIED = 6;
    static final int PAM_AUTH_ERR = 7;
    static final int PAM_AUTHINFO_UNAVAIL = 9;
    static final int PAM_USER_UNKNOWN = 10;
    static final int PAM_NEW_AUTHTOK_REQD = 12;
    static final int PAM_ACCT_EXPIRED = 13;
    static final int PAM_CONV_ERR = 19;

    static final int PAM_RHOST = 4;
    static final int PAM_FAIL_DELAY = 10;

    static final int PAM_SILENT = 0x8000;
    static final int PAM_DISALLOW_NULL_AUTHTOK = 0x0001;

    static final int PAM_PROMPT_ECHO_OFF = 1;
    static final int PAM_PROMPT_ECHO_ON = 2;

    private Native() {
    }

    /** {@code int (*conv)(int num_msg, const struct pam_message **msg, struct pam_response **resp, void *appdata)} */
    interface ConvFunction extends Callback {
        int callback(int numMsg, Pointer msg, Pointer resp, Pointer appdata);
    }

    /** {@code void (*delay_fn)(int retval, unsigned usec_delay, void *appdata_ptr)}: Pillarbox delays itself. */
    interface FailDelayFunction extends Callback {
        void callback(int retval, int usecDelay, Pointer appdata);
    }

    /** {@code struct pam_conv} */
    @Structure.FieldOrder({"conv", "appdata_ptr"})
    public static class PamConv extends Structure {
        public ConvFunction conv;
        public Pointer appdata_ptr;
    }

    /** {@code struct passwd} */
    @Structure.FieldOrder({"pw_name", "pw_passwd", "pw_uid", "pw_gid", "pw_gecos", "pw_dir", "pw_shell"})
    public static class Passwd extends Structure {
        public String pw_name;
        public String pw_passwd;
        public int pw_uid;
        public int pw_gid;
        public String pw_gecos;
        public String pw_dir;
        public String pw_shell;

        public Passwd(Pointer p) {
            super(p);
            read();
        }
    }

    interface LibPam extends Library {
        int pam_start(String service, String user, PamConv conv, PointerByReference pamh);

        int pam_set_item(Pointer pamh, int itemType, String item);

        int pam_set_item(Pointer pamh, int itemType, FailDelayFunction item);

        int pam_authenticate(Pointer pamh, int flags);

        int pam_acct_mgmt(Pointer pamh, int flags);

        int pam_end(Pointer pamh, int status);
    }

    interface LibC extends Library {
        Pointer calloc(long count, long size);

        Pointer getpwnam(String name);
    }
}
