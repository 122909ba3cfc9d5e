package io.pillarbox.itest;

import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

import javax.inject.Inject;
import java.io.File;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

/**
 * The README's promise for admins who already run Karaf: into a stock Apache Karaf 4.4.10,
 * {@code feature:repo-add mvn:io.pillarbox/pillarbox-features/VERSION/xml/features} then
 * {@code feature:install pillarbox} gives a running Pillarbox. The Pillarbox artifacts come from a Maven repository
 * (here the system/ folder of the distribution this reactor built, standing in for a release repository).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StockKarafIT extends PillarboxTestSupport {

    @Inject
    BundleContext bc;

    @Inject
    FeaturesService features;

    @Configuration
    public Option[] config() {
        String system = new File(System.getProperty("pillarbox.distro.system")).toURI().toString();
        String m2 = new File(System.getProperty("maven.repo.local")).toURI().toString();
        File emptyLocal = new File("target/stock-karaf-m2");
        emptyLocal.mkdirs();
        List<Option> options = new ArrayList<>(baseOptions(
                maven("org.apache.karaf", "apache-karaf", "4.4.10").type("tar.gz").getURL(), "Apache Karaf"));
        // a fresh local repository, so that nothing stale from an earlier build is picked up; Pillarbox from the
        // reactor's distribution, Pax Exam's own bundles from the build's local repository
        options.add(editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg",
                "org.ops4j.pax.url.mvn.localRepository", emptyLocal.getAbsolutePath()));
        options.add(editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.repositories",
                system + "@id=pillarbox@snapshots, " + m2 + "@id=build@snapshots"));
        options.add(editConfigurationFilePut("etc/system.properties", "pillarbox.version",
                System.getProperty("pillarbox.version")));
        return options.toArray(new Option[0]);
    }

    @Test
    public void featuresInstallIntoStockKaraf() throws Exception {
        String version = System.getProperty("pillarbox.version");
        assertNotNull("pillarbox.version", version);
        features.addRepository(URI.create("mvn:io.pillarbox/pillarbox-features/" + version + "/xml/features"));
        features.installFeature("pillarbox", EnumSet.noneOf(FeaturesService.Option.class));
        assertTrue(features.isInstalled(features.getFeature("pillarbox")));

        List<String> active = new ArrayList<>();
        for (Bundle b : bc.getBundles()) {
            if (b.getSymbolicName().startsWith("io.pillarbox.") && b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                assertEquals(b.getSymbolicName() + " active", Bundle.ACTIVE, b.getState());
                active.add(b.getSymbolicName());
            }
        }
        assertTrue("Pillarbox bundles installed: " + active,
                active.containsAll(List.of("io.pillarbox.api", "io.pillarbox.transport", "io.pillarbox.core")));
        await("session registry", () -> bc.getServiceReference("io.pillarbox.api.server.SessionRegistry") != null);
    }
}
