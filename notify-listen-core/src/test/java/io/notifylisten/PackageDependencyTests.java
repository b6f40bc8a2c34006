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
 * Package dependencies run one way: no package reaches back into one that depends on it,
 * the API an application uses knows nothing of notify-listen's workings
 * ({@code internal}), and the names at the bottom ({@code channel}), the notifier
 * ({@code notify}) and the transport depend on little else. docs/architecture.md names
 * the command that runs this.
 */
@AnalyzeClasses(packages = "io.notifylisten", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageDependencyTests {

	private static final String[] API = { "io.notifylisten.channel..", "io.notifylisten.listen..",
			"io.notifylisten.notify..", "io.notifylisten.presence..", "io.notifylisten.security.." };

	private static DescribedPredicate<JavaClass> ofNotifyListenOutside(String... packages) {
		return resideInAPackage("io.notifylisten..").and(resideOutsideOfPackages(packages));
	}

	@ArchTest
	static final ArchRule apiPackagesAreFreeOfCycles = slices().matching("io.notifylisten.(*)..")
		.should()
		.beFreeOfCycles();

	@ArchTest
	static final ArchRule internalPackagesAreFreeOfCycles = slices().matching("io.notifylisten.internal.(*)..")
		.should()
		.beFreeOfCycles();

	@ArchTest
	static final ArchRule apiDependsOnNoInternalPackage = noClasses().that()
		.resideInAnyPackage(API)
		.should()
		.dependOnClassesThat()
		.resideInAPackage("io.notifylisten.internal..");

	@ArchTest
	static final ArchRule channelNamesDependOnNoOtherPackage = noClasses().that()
		.resideInAnyPackage("io.notifylisten.channel..", "io.notifylisten.internal.channel..")
		.should()
		.dependOnClassesThat(ofNotifyListenOutside("io.notifylisten.channel..", "io.notifylisten.internal.channel.."));

	@ArchTest
	static final ArchRule notifierDependsOnlyOnChannelNames = noClasses().that()
		.resideInAnyPackage("io.notifylisten.notify..", "io.notifylisten.internal.notify..")
		.should()
		.dependOnClassesThat(ofNotifyListenOutside("io.notifylisten.notify..", "io.notifylisten.internal.notify..",
				"io.notifylisten.channel..", "io.notifylisten.internal.channel.."));

	// The transport moves bytes; who may receive what is decided above it, in delivery.
	@ArchTest
	static final ArchRule transportDependsOnlyOnChannelNamesAndBroker = noClasses().that()
		.resideInAPackage("io.notifylisten.internal.transport..")
		.should()
		.dependOnClassesThat(ofNotifyListenOutside("io.notifylisten.internal.transport..", "io.notifylisten.channel..",
				"io.notifylisten.internal.channel..", "io.notifylisten.internal.broker.."));

}
