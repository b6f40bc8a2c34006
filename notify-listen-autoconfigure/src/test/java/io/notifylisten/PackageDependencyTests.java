package io.notifylisten;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Package dependencies run one way: no package reaches back into one that depends on it, and the
 * names at the bottom ({@code channel}) and the notifier ({@code notify}) depend on nothing else
 * of notify-listen's. README's architecture section names the command that runs this.
 */
@AnalyzeClasses(packages = "io.notifylisten", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageDependencyTests {

	private static DescribedPredicate<JavaClass> ofNotifyListenOutside(String... packages) {
		return resideInAPackage("io.notifylisten..").and(resideOutsideOfPackages(packages));
	}

	@ArchTest
	static final ArchRule packagesAreFreeOfCycles = slices().matching("io.notifylisten.(*)..").should().beFreeOfCycles();

	@ArchTest
	static final ArchRule channelDependsOnNoOtherPackage = noClasses().that()
		.resideInAPackage("io.notifylisten.channel..")
		.should()
		.dependOnClassesThat(ofNotifyListenOutside("io.notifylisten.channel.."));

	@ArchTest
	static final ArchRule notifyDependsOnlyOnChannel = noClasses().that()
		.resideInAPackage("io.notifylisten.notify..")
		.should()
		.dependOnClassesThat(ofNotifyListenOutside("io.notifylisten.notify..", "io.notifylisten.channel.."));

	// The transport moves bytes; who may receive what is decided above it, in delivery.
	@ArchTest
	static final ArchRule transportDependsOnlyOnChannelAndBroker = noClasses().that()
		.resideInAPackage("io.notifylisten.transport..")
		.should()
		.dependOnClassesThat(ofNotifyListenOutside("io.notifylisten.transport..", "io.notifylisten.channel..",
				"io.notifylisten.broker.."));

	@ArchTest
	static final ArchRule onlyAutoConfigurationDependsOnAutoConfiguration = noClasses().that()
		.resideOutsideOfPackage("io.notifylisten.autoconfigure..")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("io.notifylisten.autoconfigure..");

}
